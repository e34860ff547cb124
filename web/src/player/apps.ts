// The applications page: each application the operator may see, its retention and the replay data it
// stores (GET /api/v1/applications).
import { ApiError, type Application, listApplications, loginHref } from "./api";
import { h } from "./dom";
import { rulesEditor } from "./rules";

interface AppUsage extends Application {
  retention_days: number;
  stored_bytes: number;
}

/** Bytes for people: "512 B", "3.4 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = "B";
  for (const u of units) {
    value /= 1024;
    unit = u;
    if (value < 1024) break;
  }
  return `${value.toFixed(1)} ${unit}`;
}

function row(app: AppUsage, openRules: (app: AppUsage) => void): HTMLTableRowElement {
  const link = h("a", { text: app.name, attrs: { href: `/sessions?app_id=${encodeURIComponent(app.id)}` } });
  const rules = h("button", { class: "button", text: "Masking rules", attrs: { type: "button", "data-rules": app.id } });
  rules.addEventListener("click", () => openRules(app));
  return h(
    "tr",
    { attrs: { "data-app-id": app.id } },
    h("td", {}, link),
    h("td", { class: "num", text: app.id }),
    h("td", { class: "num", text: `${app.retention_days} days` }),
    h("td", { class: "num stored", text: formatBytes(app.stored_bytes) }),
    h("td", {}, rules),
  );
}

export async function runApplications(root: HTMLElement): Promise<void> {
  root.replaceChildren(h("p", { class: "loading muted", text: "Loading applications…" }));
  let apps: AppUsage[];
  try {
    // The API sends more than the player's Application type names; this page reads the rest.
    apps = (await listApplications()) as AppUsage[];
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      location.assign(loginHref());
      return;
    }
    const message = err instanceof Error ? err.message : "The applications did not load.";
    root.replaceChildren(h("div", { class: "notice error" }, h("p", { text: message })));
    return;
  }
  if (apps.length === 0) {
    root.replaceChildren(h("p", { class: "empty", text: "No applications yet: create one with `reel apps create`." }));
    return;
  }
  const head = h(
    "tr",
    {},
    ...["Application", "Id", "Retention", "Replay data stored", ""].map((label) => h("th", { text: label })),
  );
  const editor = h("div", { class: "rules-slot" });
  const openRules = (app: AppUsage): void => editor.replaceChildren(rulesEditor(app.id, app.name));
  const rows = apps.map((app) => row(app, openRules));
  const table = h("table", { class: "sessions apps" }, h("thead", {}, head), h("tbody", {}, ...rows));
  root.replaceChildren(h("div", { class: "table-wrap" }, table), editor);
}
