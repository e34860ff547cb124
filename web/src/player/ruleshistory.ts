// Saved versions of an application's masking rules, newest first: who saved each and when, and whether it
// restored an earlier one. Each can be viewed (its rules, read-only) and, by admins, restored: restoring
// saves the old rules as the next version, so history is never rewritten.
import { h } from "./dom";
import { formatDateTime } from "./format";
import { KINDS, PRESETS, type RulesDoc } from "./rulesmodel";
import { sendJson } from "./writes";

interface VersionRow {
  version: number;
  preset: string;
  updated_by: string | null;
  updated_by_name: string | null;
  updated_at: number | null;
  restored_from: number | null;
}

interface VersionDoc extends RulesDoc {
  updated_by_name: string | null;
  restored_from: number | null;
}

export interface RulesHistory {
  element: HTMLElement;
  refresh(): void;
}

function ruleText(rule: Record<string, unknown>): string {
  const label = KINDS.find((k) => k.id === rule.type)?.label ?? String(rule.type);
  const what = Object.entries(rule)
    .filter(([key]) => key !== "type")
    .map(([, value]) => (Array.isArray(value) ? value.join(", ") : String(value)))
    .join(" · ");
  return `${label}: ${what}`;
}

/** The history of one application's rules; `onRestored` gets the new current version. */
export function rulesHistory(appId: string, canRestore: boolean, onRestored: (doc: RulesDoc) => void): RulesHistory {
  const base = `/api/v1/applications/${encodeURIComponent(appId)}/masking-rules`;
  const list = h("ol", { class: "rules-history-list", attrs: { id: "rules-history" } });
  const detail = h("div", { class: "rules-history-detail", attrs: { id: "rules-history-detail" } });
  const status = h("p", { class: "muted", attrs: { role: "status", id: "rules-history-status" } });
  let inForce = 0;

  async function view(version: number): Promise<void> {
    const res = await fetch(`${base}/versions/${version}`, { credentials: "same-origin" });
    if (!res.ok) {
      status.textContent = `Version ${version} could not be read.`;
      return;
    }
    const doc = (await res.json()) as VersionDoc;
    const preset = PRESETS.find((p) => p.id === doc.preset)?.title ?? doc.preset;
    const restore = h("button", { class: "button small", text: `Restore version ${version}`, attrs: { type: "button", id: "rules-restore" } });
    restore.hidden = !canRestore || version === inForce; // restoring what is in force would change nothing
    restore.addEventListener("click", () => {
      restore.disabled = true;
      sendJson<RulesDoc>("POST", `${base}/versions/${version}/restore`, {})
        .then((saved) => {
          status.textContent = `Version ${version} restored as version ${saved.version}.`;
          detail.replaceChildren();
          onRestored(saved);
        })
        .catch((err: unknown) => {
          status.textContent = err instanceof Error ? err.message : "Not restored.";
          restore.disabled = false;
        });
    });
    detail.replaceChildren(
      h("h4", { text: `Version ${doc.version}` }),
      h("p", {
        text: `${preset}; consent ${doc.consent.required ? "required" : "not required"}, GPC ${doc.consent.honor_gpc ? "honoured" : "ignored"}.`,
      }),
      doc.rules.length
        ? h("ul", { class: "rules-history-rules" }, ...doc.rules.map((r) => h("li", { text: ruleText(r) })))
        : h("p", { class: "muted", text: "No rules: the preset alone." }),
      restore,
    );
  }

  function refresh(): void {
    void fetch(`${base}/versions`, { credentials: "same-origin" }).then(async (res) => {
      if (!res.ok) {
        status.textContent = "The history could not be read.";
        return;
      }
      const versions = ((await res.json()) as { versions: VersionRow[] }).versions;
      inForce = versions[0]?.version ?? 0;
      const rows = versions.map((v, i) => {
        const who = v.updated_by_name ?? v.updated_by ?? "unknown";
        const when = v.updated_at !== null ? formatDateTime(v.updated_at) : "";
        const open = h("button", { class: "linklike", text: `Version ${v.version}`, attrs: { type: "button", "data-version": String(v.version) } });
        open.addEventListener("click", () => void view(v.version));
        return h(
          "li",
          { class: "rules-version", attrs: { "data-version": String(v.version) } },
          open,
          i === 0 ? h("span", { class: "badge", text: "in force" }) : null,
          h("span", { class: "version-who", text: ` saved by ${who}` }),
          h("span", { class: "version-when muted", text: ` · ${when}` }),
          v.restored_from !== null ? h("span", { class: "muted", text: ` · restores version ${v.restored_from}` }) : null,
        );
      });
      const defaults = h("button", { class: "linklike", text: "Version 0", attrs: { type: "button", "data-version": "0" } });
      defaults.addEventListener("click", () => void view(0));
      rows.push(h("li", { class: "rules-version", attrs: { "data-version": "0" } }, defaults, h("span", { class: "muted", text: " Reel's defaults" })));
      list.replaceChildren(...rows);
    });
  }

  const element = h("section", { class: "rules-history", attrs: { "aria-label": "Saved versions" } }, h("h3", { text: "History" }), list, detail, status);
  return { element, refresh };
}
