// One application on the applications page: its app key and snippet to copy, its allowed origins and
// retention, editable by admins (PATCH /api/v1/applications/{id}, with the CSRF token).
import { h } from "./dom";
import { sendJson, submitFrom } from "./writes";

export interface AppInfo {
  id: string;
  name: string;
  app_key: string;
  origins: string[];
  retention_days: number;
  stored_bytes: number;
  mobile: boolean;
  snippet: string | null;
}

/** Origins typed one per line (or separated by spaces or commas), without blanks. */
export function parseOrigins(text: string): string[] {
  return text.split(/[\s,]+/).filter((part) => part.length > 0);
}

function copyButton(label: string, text: () => string, status: HTMLElement): HTMLButtonElement {
  const button = h("button", { class: "button", text: label, attrs: { type: "button" } });
  button.addEventListener("click", () => {
    // The clipboard needs a secure context (https or localhost); elsewhere the text is selectable.
    navigator.clipboard?.writeText(text()).then(
      () => (status.textContent = "Copied."),
      () => (status.textContent = "Select the text and copy it."),
    );
  });
  return button;
}

function item(label: string, ...content: (Node | string)[]): HTMLElement {
  return h("div", { class: "app-item" }, h("dt", { text: label }), h("dd", {}, ...content));
}

/** The details panel of `app`; `editable` for admins; `onChange` gets the application as saved. */
export function appDetails(app: AppInfo, editable: boolean, onChange: (app: AppInfo) => void): HTMLElement {
  const status = h("p", { class: "app-status muted", attrs: { role: "status", id: "app-status" } });
  const key = h("code", { class: "app-key", text: app.app_key, attrs: { id: "app-key" } });
  const items: HTMLElement[] = [item("App key", key, " ", copyButton("Copy key", () => app.app_key, status))];
  if (app.snippet !== null) {
    const snippet = app.snippet;
    items.push(
      item(
        "Snippet",
        h("p", { class: "muted", text: "Add it to every page, in <head>. Calls such as reel.consent(true) or reel.identify(id) may follow it inline." }),
        h("pre", { class: "app-snippet" }, h("code", { text: snippet, attrs: { id: "app-snippet" } })),
        copyButton("Copy snippet", () => snippet, status),
      ),
    );
  } else {
    items.push(item("Recording", h("p", { text: "A mobile application: it records with the mobile SDK and this app key." })));
  }
  const origins = h("textarea", {
    class: "app-origins",
    attrs: { id: "app-origins", rows: String(Math.max(2, app.origins.length + 1)), spellcheck: "false", "aria-label": "Allowed origins, one per line" },
  });
  origins.value = app.origins.join("\n");
  const retention = h("input", {
    class: "app-retention",
    attrs: { id: "app-retention", type: "number", min: "1", max: "3650", step: "1", "aria-label": "Retention in days" },
  });
  retention.value = String(app.retention_days);
  items.push(
    item("Allowed origins", h("p", { class: "muted", text: "Pages of these origins may send beacons; others are refused (403)." }), origins),
    item("Retention", retention, " days"),
  );
  const controls: HTMLElement[] = [status];
  if (editable) {
    const save = h("button", { class: "button primary", text: "Save", attrs: { id: "app-save", type: "button" } });
    save.addEventListener("click", () => {
      const change: Record<string, unknown> = {};
      const wanted = parseOrigins(origins.value);
      if (wanted.join(" ") !== app.origins.join(" ")) change.origins = wanted;
      const days = Number(retention.value);
      if (days !== app.retention_days) change.retention_days = Number.isInteger(days) ? days : retention.value;
      if (Object.keys(change).length === 0) {
        status.textContent = "Nothing changed.";
        return;
      }
      const url = `/api/v1/applications/${encodeURIComponent(app.id)}`;
      const texts = { pending: "Saving…", failed: "The change was not saved." };
      submitFrom(save, status, texts, () => sendJson<AppInfo>("PATCH", url, change), (saved) => {
        status.textContent = "Saved.";
        onChange(saved);
      });
    });
    controls.unshift(save);
  } else {
    origins.readOnly = true;
    retention.readOnly = true;
    status.textContent = "Only admins change origins and retention.";
  }
  return h(
    "section",
    { class: "app-details", attrs: { "aria-label": `Application ${app.name}`, "data-app-id": app.id } },
    h("h2", { text: app.name }),
    h("dl", { class: "app-items" }, ...items),
    h("div", { class: "rules-actions" }, ...controls),
  );
}

/** The form that creates an application (admins of every application); `onCreated` gets it. */
export function newAppForm(onCreated: (app: AppInfo) => void): HTMLElement {
  const name = h("input", { attrs: { id: "new-app-name", type: "text", maxlength: "100", autocomplete: "off", placeholder: "My shop" } });
  const origins = h("textarea", { attrs: { id: "new-app-origins", rows: "2", spellcheck: "false", placeholder: "https://shop.example" } });
  const mobile = h("input", { attrs: { id: "new-app-mobile", type: "checkbox" } });
  const status = h("p", { class: "app-status muted", attrs: { role: "status", id: "new-app-status" } });
  const create = h("button", { class: "button primary", text: "Create", attrs: { id: "new-app-create", type: "submit" } });
  const form = h(
    "form",
    { class: "app-details new-app", attrs: { "aria-label": "New application" } },
    h("h2", { text: "New application" }),
    h("div", { class: "field" }, h("label", { class: "field-label", text: "Name", attrs: { for: "new-app-name" } }), name),
    h(
      "div",
      { class: "field" },
      h("label", { class: "field-label", text: "Allowed origins, one per line", attrs: { for: "new-app-origins" } }),
      origins,
    ),
    h("label", { class: "check", attrs: { for: "new-app-mobile" } }, mobile, h("span", { text: "Mobile app (sends no origin)" })),
    h("div", { class: "rules-actions" }, create, status),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { name: name.value.trim(), origins: parseOrigins(origins.value), mobile: mobile.checked };
    const texts = { pending: "Creating…", failed: "The application was not created." };
    submitFrom(create, status, texts, () => sendJson<AppInfo>("POST", "/api/v1/applications", body), (app) => {
      status.textContent = "";
      onCreated(app);
    });
  });
  return form;
}
