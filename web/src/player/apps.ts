// The applications page: each application the operator may see, its origins, retention and the replay
// data it stores (GET /api/v1/applications); its details (app key, snippet, editable settings) open
// below the table. The page's `data-role` says what the operator may do; the server checks it again.
import { ApiError, listApplications, loginHref } from "./api";
import { type AppInfo, appDetails, newAppForm } from "./appdetails";
import { h } from "./dom";
import { rulesEditor } from "./rules";

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

type Role = "creator" | "admin" | "viewer";

class ApplicationsPage {
  private apps: AppInfo[] = [];
  private readonly slot = h("div", { class: "rules-slot" });
  private readonly body = h("tbody", {});

  constructor(
    private readonly root: HTMLElement,
    private readonly role: Role,
  ) {}

  async start(): Promise<void> {
    this.root.replaceChildren(h("p", { class: "loading muted", text: "Loading applications…" }));
    try {
      // The API sends more than the player's Application type names; this page reads the rest.
      this.apps = (await listApplications()) as unknown as AppInfo[];
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        location.assign(loginHref());
        return;
      }
      const message = err instanceof Error ? err.message : "The applications did not load.";
      this.root.replaceChildren(h("div", { class: "notice error" }, h("p", { text: message })));
      return;
    }
    this.render();
  }

  private render(): void {
    const top: HTMLElement[] = [];
    if (this.role === "creator") {
      const button = h("button", { class: "button primary", text: "New application", attrs: { id: "new-app", type: "button" } });
      button.addEventListener("click", () => this.slot.replaceChildren(newAppForm((app) => this.created(app))));
      top.push(h("div", { class: "page-actions" }, button));
    }
    if (this.apps.length === 0) {
      const hint = this.role === "creator" ? "No applications yet: create one." : "No applications yet: an admin creates them here or with `reel apps create`.";
      this.root.replaceChildren(...top, h("p", { class: "empty", text: hint }), this.slot);
      return;
    }
    const head = h(
      "tr",
      {},
      ...["Application", "Allowed origins", "Retention", "Replay data stored", ""].map((label) => h("th", { text: label })),
    );
    this.body.replaceChildren(...this.apps.map((app) => this.row(app)));
    const table = h("table", { class: "sessions apps" }, h("thead", {}, head), this.body);
    this.root.replaceChildren(...top, h("div", { class: "table-wrap" }, table), this.slot);
  }

  private row(app: AppInfo): HTMLTableRowElement {
    const link = h("a", { text: app.name, attrs: { href: `/sessions?app_id=${encodeURIComponent(app.id)}` } });
    const details = h("button", { class: "button", text: "Key and snippet", attrs: { type: "button", "data-details": app.id } });
    details.addEventListener("click", () => this.open(app));
    const rules = h("button", { class: "button", text: "Masking rules", attrs: { type: "button", "data-rules": app.id } });
    rules.addEventListener("click", () => this.slot.replaceChildren(rulesEditor(app.id, app.name, this.role !== "viewer")));
    const origins = app.mobile && app.origins.length === 0 ? "mobile app" : app.origins.join(" ");
    return h(
      "tr",
      { attrs: { "data-app-id": app.id } },
      h("td", {}, link, h("div", { class: "muted app-id", text: app.id })),
      h("td", { class: "origins", text: origins }),
      h("td", { class: "num retention", text: `${app.retention_days} days` }),
      h("td", { class: "num stored", text: formatBytes(app.stored_bytes) }),
      h("td", { class: "row-actions" }, details, rules),
    );
  }

  private open(app: AppInfo): void {
    const editable = this.role !== "viewer";
    this.slot.replaceChildren(appDetails(app, editable, (saved) => this.changed(saved)));
  }

  private changed(saved: AppInfo): void {
    this.apps = this.apps.map((app) => (app.id === saved.id ? saved : app));
    this.body.replaceChildren(...this.apps.map((app) => this.row(app)));
  }

  private created(app: AppInfo): void {
    this.apps = [...this.apps, { ...app, stored_bytes: app.stored_bytes ?? 0 }];
    this.render();
    this.open(app);
  }
}

export async function runApplications(root: HTMLElement): Promise<void> {
  const role = root.dataset.role;
  await new ApplicationsPage(root, role === "creator" || role === "admin" ? role : "viewer").start();
}
