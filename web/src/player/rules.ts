// The masking-rules editor on the applications page: the preset (each explained), consent, and the rules
// as rows (action, then selector or names), each checked by the server as the admin types (the error
// shows under the input it is about); a preview of a session under the draft; saved versions with who
// and when, each viewable and restorable. Saving stores a new version; replays use it at once.
import { readError, UNREACHABLE } from "./apierror";
import { h } from "./dom";
import { rulesHistory } from "./ruleshistory";
import {
  DETECTORS,
  type Draft,
  type FieldRef,
  KINDS,
  PRESETS,
  type Row,
  type RowKind,
  type RulesDoc,
  documentOf,
  draftOf,
  emptyRow,
  fieldRef,
} from "./rulesmodel";
import { rulesPreview } from "./rulespreview";
import { csrfToken, errorText } from "./writes";

const CHECK_DELAY_MS = 250;

interface ServerError {
  message: string;
  field: string | null;
}

async function serverError(res: Response): Promise<ServerError> {
  const e = await readError(res);
  return { message: e.message, field: e.field ?? null };
}

/** A server message shown beside its input, without the field path it starts with (`rules[0].selector: `). */
function atField(message: string): string {
  const rest = message.replace(/^rules\[\d+\][\w.[\]]*:?\s*/, "");
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** An editor for one application's rules, loaded now; `canEdit`: the operator is an admin. */
export function rulesEditor(appId: string, appName: string, canEdit = true): HTMLElement {
  const base = `/api/v1/applications/${encodeURIComponent(appId)}/masking-rules`;
  let draft: Draft = { preset: "mask_all", consent: { required: true, honor_gpc: true }, rows: [] };
  let current: RulesDoc | null = null;
  let checkTimer: number | undefined;
  let checkSeq = 0;
  let valid = true;

  const status = h("p", { class: "rules-status muted", attrs: { role: "status", id: "rules-status" } });
  const presetBox = h("fieldset", { class: "rules-presets", attrs: { id: "rules-presets" } });
  const presetError = h("p", { class: "field-error", attrs: { id: "rules-preset-error", role: "alert" } });
  const consentBox = h("fieldset", { class: "rules-consent" });
  const rowsBox = h("div", { class: "rules-rows", attrs: { id: "rules-rows" } });
  const formError = h("p", { class: "field-error", attrs: { id: "rules-form-error", role: "alert" } });
  const add = h("select", { class: "rules-add", attrs: { id: "rules-add", "aria-label": "Add a rule" } });
  add.append(h("option", { text: "Add a rule…", attrs: { value: "" } }), ...KINDS.map((k) => h("option", { text: k.label, attrs: { value: k.id } })));
  const save = h("button", { class: "button primary", text: "Save as a new version", attrs: { id: "rules-save", type: "button" } });
  const preview = rulesPreview(appId, canEdit);
  const history = rulesHistory(appId, canEdit, (doc) => load(doc));

  function renderPresets(): void {
    presetBox.replaceChildren(h("legend", { text: "Preset" }));
    for (const p of PRESETS) {
      const radio = h("input", { attrs: { type: "radio", name: `preset-${appId}`, value: p.id, id: `preset-${p.id}` } });
      radio.checked = draft.preset === p.id;
      radio.disabled = !canEdit;
      radio.addEventListener("change", () => {
        draft.preset = p.id;
        changed();
      });
      presetBox.append(
        h(
          "label",
          { class: `rules-preset${draft.preset === p.id ? " chosen" : ""}`, attrs: { for: `preset-${p.id}` } },
          radio,
          h("span", { class: "preset-title", text: p.title }),
          h("span", { class: "preset-text muted", text: p.text }),
        ),
      );
    }
    presetBox.append(presetError);
  }

  function renderConsent(): void {
    const box = (key: "required" | "honor_gpc", label: string, help: string): HTMLElement => {
      const input = h("input", { attrs: { type: "checkbox", id: `consent-${key}` } });
      input.checked = draft.consent[key];
      input.disabled = !canEdit;
      input.addEventListener("change", () => {
        draft.consent[key] = input.checked;
        changed();
      });
      return h("label", { class: "rules-check", attrs: { for: `consent-${key}` } }, input, ` ${label} `, h("span", { class: "muted", text: help }));
    };
    consentBox.replaceChildren(
      h("legend", { text: "Consent" }),
      box("required", "Wait for consent", "Nothing is recorded before the page calls reel.consent(true)."),
      box("honor_gpc", "Honour Global Privacy Control", "A browser sending GPC counts as a refusal."),
    );
  }

  function textInput(row: Row, key: "selector" | "names" | "pattern", placeholder: string, label: string): HTMLInputElement {
    const input = h("input", {
      class: `rule-${key}`,
      attrs: { type: "text", placeholder, spellcheck: "false", autocomplete: "off", "aria-label": label, "data-input": key },
    });
    input.value = row[key];
    input.readOnly = !canEdit;
    input.addEventListener("input", () => {
      row[key] = input.value;
      changed();
    });
    return input;
  }

  function renderRow(row: Row, i: number): HTMLElement {
    const kind = h("select", { class: "rule-kind", attrs: { "aria-label": `Rule ${i + 1}: action`, "data-input": "kind" } });
    for (const k of KINDS) kind.append(h("option", { text: k.label, attrs: { value: k.id } }));
    kind.value = row.kind;
    kind.disabled = !canEdit;
    kind.addEventListener("change", () => {
      const next = emptyRow(kind.value as RowKind);
      if (["mask", "unmask", "block"].includes(next.kind)) next.selector = row.selector;
      draft.rows[i] = next;
      renderRows();
      changed();
    });
    const inputs = h("div", { class: "rule-inputs" });
    if (row.kind === "mask" || row.kind === "unmask" || row.kind === "block") {
      inputs.append(textInput(row, "selector", ".account, #checkout [data-private]", `Rule ${i + 1}: CSS selector`));
    } else if (row.kind === "attribute") {
      inputs.append(textInput(row, "names", "data-user, x-*", `Rule ${i + 1}: attribute names`));
    } else if (row.kind === "url") {
      inputs.append(
        textInput(row, "names", "token, session (* for all)", `Rule ${i + 1}: query parameters`),
        textInput(row, "pattern", "^[0-9a-f]{24,}$", `Rule ${i + 1}: path segment pattern`),
      );
    } else {
      const boxes = h("div", { class: "rule-detectors", attrs: { "data-input": "detectors" } });
      for (const d of DETECTORS) {
        const box = h("input", { attrs: { type: "checkbox", value: d, "aria-label": `Rule ${i + 1}: ${d}` } });
        box.checked = row.detectors.includes(d);
        box.disabled = !canEdit;
        box.addEventListener("change", () => {
          row.detectors = DETECTORS.filter((x) => (x === d ? box.checked : row.detectors.includes(x)));
          changed();
        });
        boxes.append(h("label", { class: "rules-check" }, box, ` ${d}`));
      }
      inputs.append(boxes);
    }
    const remove = h("button", { class: "button small", text: "Remove", attrs: { type: "button", "aria-label": `Remove rule ${i + 1}` } });
    remove.hidden = !canEdit;
    remove.addEventListener("click", () => {
      draft.rows.splice(i, 1);
      renderRows();
      changed();
    });
    const help = KINDS.find((k) => k.id === row.kind)?.help ?? "";
    return h(
      "div",
      { class: "rule-row", attrs: { "data-row": String(i) } },
      kind,
      inputs,
      remove,
      h("p", { class: "rule-help muted", text: help }),
      h("p", { class: "field-error", attrs: { role: "alert", "data-error": String(i) } }),
    );
  }

  function renderRows(): void {
    rowsBox.replaceChildren(
      ...(draft.rows.length === 0 ? [h("p", { class: "muted rules-empty", text: "No rules: the preset alone applies." })] : []),
      ...draft.rows.map((row, i) => renderRow(row, i)),
    );
  }

  function clearErrors(): void {
    for (const node of rowsBox.querySelectorAll<HTMLElement>("[aria-invalid]")) node.removeAttribute("aria-invalid");
    for (const node of rowsBox.querySelectorAll<HTMLElement>(".rule-row.invalid")) node.classList.remove("invalid");
    for (const node of [...rowsBox.querySelectorAll<HTMLElement>(".field-error"), presetError, formError]) node.textContent = "";
  }

  /** Show a server error at the input its field names. */
  function showError(err: ServerError): void {
    clearErrors();
    const ref: FieldRef = fieldRef(err.field);
    if (ref.row === null) {
      (ref.input === "preset" ? presetError : formError).textContent = err.message;
      return;
    }
    const row = rowsBox.querySelector<HTMLElement>(`.rule-row[data-row="${ref.row}"]`);
    if (!row) {
      formError.textContent = err.message;
      return;
    }
    row.classList.add("invalid");
    const input =
      row.querySelector<HTMLElement>(`[data-input="${ref.input}"]`) ?? row.querySelector<HTMLElement>('[data-input="detectors"]');
    input?.setAttribute("aria-invalid", "true");
    const where = row.querySelector<HTMLElement>(`[data-error="${ref.row}"]`);
    if (where) where.textContent = atField(err.message);
  }

  /** Ask the server whether the draft would save; errors go to their field, a valid draft is previewed. */
  async function check(): Promise<void> {
    const seq = ++checkSeq;
    const doc = documentOf(draft);
    let res: Response;
    try {
      res = await fetch(`${base}/check`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify(doc),
      });
    } catch {
      if (seq === checkSeq) status.textContent = UNREACHABLE;
      return;
    }
    if (seq !== checkSeq) return; // a later edit's check is on its way
    valid = res.ok;
    save.disabled = !valid || !canEdit;
    if (res.ok) {
      clearErrors();
      status.textContent = current ? `Draft: not saved. Version ${current.version} is in force.` : "Draft: not saved.";
      preview.update(doc);
    } else {
      showError(await serverError(res));
      status.textContent = "The draft has an error; it cannot be saved yet.";
    }
  }

  function changed(): void {
    renderPresetsChosen();
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(() => void check(), CHECK_DELAY_MS);
  }

  function renderPresetsChosen(): void {
    for (const label of presetBox.querySelectorAll<HTMLLabelElement>(".rules-preset")) {
      label.classList.toggle("chosen", label.htmlFor === `preset-${draft.preset}`);
    }
  }

  function load(doc: RulesDoc): void {
    current = doc;
    draft = draftOf(doc);
    renderPresets();
    renderConsent();
    renderRows();
    clearErrors();
    valid = true;
    save.disabled = !canEdit;
    status.textContent =
      doc.version === 0 ? "Version 0: Reel's defaults (mask everything) is in force." : `Version ${doc.version} is in force.`;
    preview.update(documentOf(draft));
    history.refresh();
  }

  add.disabled = !canEdit;
  add.addEventListener("change", () => {
    if (!add.value) return;
    draft.rows.push(emptyRow(add.value as RowKind));
    add.value = "";
    renderRows();
    rowsBox.querySelector<HTMLInputElement>(".rule-row:last-child input")?.focus();
    changed();
  });

  save.addEventListener("click", () => {
    if (!valid) return;
    save.disabled = true;
    status.textContent = "Saving…";
    fetch(base, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
      body: JSON.stringify(documentOf(draft)),
    })
      .then(async (res) => {
        if (res.ok) load((await res.json()) as RulesDoc);
        else {
          const err = await serverError(res);
          showError(err);
          status.textContent = err.field ? `Not saved: ${err.message} (${err.field})` : `Not saved: ${err.message}`;
        }
      })
      .catch(() => {
        status.textContent = "The Reel server could not be reached; nothing was saved.";
      })
      .finally(() => {
        save.disabled = !valid || !canEdit;
      });
  });

  void fetch(base, { credentials: "same-origin" }).then(async (res) => {
    if (res.ok) load((await res.json()) as RulesDoc);
    else status.textContent = await errorText(res);
  });

  const actions = h("div", { class: "rules-actions" }, ...(canEdit ? [save] : []), status);
  return h(
    "section",
    { class: "rules-editor", attrs: { "aria-label": `Masking rules of ${appName}` } },
    h("h2", { text: `Masking rules · ${appName}` }),
    h("p", {
      class: "muted",
      text: canEdit
        ? "Stricter rules apply at once to every replay, recorded before or after; what was masked at capture stays masked. Check a session in the preview before saving."
        : "Only admins change masking rules.",
    }),
    h(
      "div",
      { class: "rules-layout" },
      h(
        "div",
        { class: "rules-form" },
        presetBox,
        consentBox,
        h("h3", { text: "Rules" }),
        rowsBox,
        formError,
        ...(canEdit ? [add] : []),
        actions,
        history.element,
      ),
      preview.element,
    ),
  );
}
