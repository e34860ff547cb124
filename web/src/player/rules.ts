// The masking-rules editor on the applications page: admins edit an application's rules document
// (docs/contracts/masking-rules.md) and save it as a new version; replays use it at once.
import { h } from "./dom";
import { csrfToken, errorText } from "./writes";

interface RulesDoc {
  version: number;
  updated_at?: number | null;
  [key: string]: unknown;
}

function editable(doc: RulesDoc): string {
  // Only what an admin writes: the server adds version, updated_by and updated_at.
  const { version: _v, updated_by: _b, updated_at: _a, ...rest } = doc;
  return JSON.stringify(rest, null, 2);
}

/** An editor for one application's rules, loaded now. */
export function rulesEditor(appId: string, appName: string): HTMLElement {
  const url = `/api/v1/applications/${encodeURIComponent(appId)}/masking-rules`;
  const area = h("textarea", {
    class: "rules-text",
    attrs: { id: "rules-text", rows: "16", spellcheck: "false", "aria-label": `Masking rules of ${appName}` },
  });
  const status = h("p", { class: "rules-status muted", attrs: { role: "status", id: "rules-status" } });
  const save = h("button", { class: "button primary", text: "Save as a new version", attrs: { id: "rules-save", type: "button" } });
  const show = (doc: RulesDoc): void => {
    area.value = editable(doc);
    status.textContent =
      doc.version === 0 ? "Version 0: Reel's defaults (mask all)." : `Version ${doc.version} is in force.`;
  };
  void fetch(url, { credentials: "same-origin" }).then(async (res) => {
    if (res.ok) show((await res.json()) as RulesDoc);
    else status.textContent = await errorText(res);
  });
  save.addEventListener("click", () => {
    let body: unknown;
    try {
      body = JSON.parse(area.value);
    } catch {
      status.textContent = "This is not valid JSON.";
      return;
    }
    save.disabled = true;
    void fetch(url, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(body),
    })
      .then(async (res) => {
        if (res.ok) show((await res.json()) as RulesDoc);
        else status.textContent = await errorText(res);
      })
      .finally(() => {
        save.disabled = false;
      });
  });
  return h(
    "section",
    { class: "rules-editor", attrs: { "aria-label": `Masking rules of ${appName}` } },
    h("h2", { text: `Masking rules · ${appName}` }),
    h("p", {
      class: "muted",
      text: "Stricter rules apply at once to every replay, recorded before or after; what was masked at capture stays masked.",
    }),
    area,
    h("div", { class: "rules-actions" }, save, status),
  );
}
