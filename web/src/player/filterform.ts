// The filter bar above the session list. It only reads and fills its controls; list.ts decides what a
// change means (a new page URL, a new search).
import type { Application } from "./api";
import { h } from "./dom";
import { DEFAULT_FILTERS, SORTS, isFiltered, pageQuery, readFilters, type Filters } from "./filters";

export class FilterForm {
  readonly element: HTMLFormElement;
  private readonly userId = input("f-user", "text", { placeholder: "starts with…", autocomplete: "off", spellcheck: "false" });
  private readonly event = input("f-event", "text", { placeholder: "signup-started", autocomplete: "off", spellcheck: "false" });
  private readonly page = input("f-page", "text", { placeholder: "/pricing", autocomplete: "off", spellcheck: "false" });
  private readonly browser = input("f-browser", "text", { placeholder: "Chrome", autocomplete: "off", spellcheck: "false" });
  private readonly os = input("f-os", "text", { placeholder: "macOS", autocomplete: "off", spellcheck: "false" });
  private readonly device = select("f-device", [
    ["", "Any"],
    ["desktop", "Desktop"],
    ["mobile", "Mobile"],
    ["tablet", "Tablet"],
  ]);
  private readonly hasDeadClicks = input("f-dead", "checkbox", {});
  private readonly url = input("f-url", "text", { placeholder: "/checkout", autocomplete: "off", spellcheck: "false" });
  private readonly from = input("f-from", "date", {});
  private readonly to = input("f-to", "date", {});
  private readonly minDuration = input("f-min-duration", "number", durationAttrs("Shortest duration"));
  private readonly maxDuration = input("f-max-duration", "number", durationAttrs("Longest duration"));
  private readonly unit = select("f-unit", [
    ["min", "min"],
    ["s", "s"],
  ]);
  private readonly minActions = input("f-min-actions", "number", { min: "0", step: "1", inputmode: "numeric", placeholder: "0" });
  private readonly hasErrors = input("f-errors", "checkbox", {});
  private readonly hasRageClicks = input("f-rage", "checkbox", {});
  private readonly platform = select("f-platform", [
    ["", "Any"],
    ["web", "Web"],
    ["mobile", "Mobile"],
  ]);
  private readonly app = select("f-app", [["", "All applications"]]);
  private readonly appField: HTMLElement;
  private readonly sort = select(
    "f-sort",
    SORTS.map((s) => [s.value, s.label]),
  );
  private readonly clear = h("button", { class: "button quiet", text: "Clear filters", attrs: { type: "button" } });

  constructor(
    initial: Filters,
    /** A control changed (or the form was submitted: `force`); the filters are normalised already. */
    private readonly onChange: (filters: Filters, force: boolean) => void,
  ) {
    this.unit.setAttribute("aria-label", "Duration unit");
    this.appField = field("Application", this.app);
    this.appField.hidden = true;
    const duration = h(
      "div",
      { class: "field", attrs: { role: "group", "aria-labelledby": "f-duration-label" } },
      h("span", { class: "field-label", text: "Duration", attrs: { id: "f-duration-label" } }),
      h(
        "div",
        { class: "pair" },
        this.minDuration,
        h("span", { class: "dash", text: "–", attrs: { "aria-hidden": "true" } }),
        this.maxDuration,
        this.unit,
      ),
    );
    const search = h("button", { class: "button primary", text: "Search", attrs: { type: "submit" } });
    this.element = h(
      "form",
      { class: "filters", attrs: { role: "search", "aria-label": "Filter sessions" } },
      h(
        "div",
        { class: "filter-row" },
        field("User id", this.userId),
        field("URL contains", this.url, "wide"),
        field("Page visited", this.page),
        field("Custom event", this.event),
        field("From", this.from),
        field("To", this.to),
        field("Platform", this.platform),
        this.appField,
        field("Sort", this.sort),
      ),
      h(
        "div",
        { class: "filter-row" },
        duration,
        field("Min. actions", this.minActions, "narrow"),
        check("Has errors", this.hasErrors),
        check("Has rage clicks", this.hasRageClicks),
        check("Has dead clicks", this.hasDeadClicks),
        field("Browser", this.browser, "narrow"),
        field("OS", this.os, "narrow"),
        field("Device", this.device),
        h("div", { class: "filter-buttons" }, search, this.clear),
      ),
    );
    this.element.addEventListener("submit", (event) => {
      event.preventDefault();
      this.onChange(this.value(), true);
    });
    // Text fields report on Enter or when left, the others at once: no search per keystroke.
    this.element.addEventListener("change", () => this.onChange(this.value(), false));
    this.clear.addEventListener("click", () => {
      this.set({ ...DEFAULT_FILTERS, sort: this.sort.value });
      this.onChange(this.value(), false);
    });
    this.set(initial);
  }

  /** Offers an application filter when the operator sees more than one application. */
  setApplications(apps: readonly Application[]): void {
    const chosen = this.app.value;
    this.app.replaceChildren(option("", "All applications"), ...apps.map((a) => option(a.id, a.name)));
    this.app.value = apps.some((a) => a.id === chosen) ? chosen : "";
    this.appField.hidden = apps.length < 2 && !chosen;
  }

  /** Fills the controls (after back/forward, or at start). */
  set(f: Filters): void {
    this.userId.value = f.userId;
    this.url.value = f.url;
    this.event.value = f.event;
    this.page.value = f.page;
    this.browser.value = f.browser;
    this.os.value = f.os;
    this.device.value = f.device;
    this.hasDeadClicks.checked = f.hasDeadClicks;
    this.from.value = f.from;
    this.to.value = f.to;
    this.minDuration.value = f.minDuration;
    this.maxDuration.value = f.maxDuration;
    this.unit.value = f.unit;
    this.minActions.value = f.minActions;
    this.hasErrors.checked = f.hasErrors;
    this.hasRageClicks.checked = f.hasRageClicks;
    this.platform.value = f.platform;
    if (f.appId && ![...this.app.options].some((o) => o.value === f.appId)) this.app.append(option(f.appId, f.appId));
    this.app.value = f.appId;
    if (f.appId) this.appField.hidden = false;
    this.sort.value = f.sort;
    this.clear.hidden = !isFiltered(f);
  }

  /** The filters the controls show, from the first page, cleaned as if read from a URL. */
  value(): Filters {
    const raw: Filters = {
      userId: this.userId.value,
      url: this.url.value,
      event: this.event.value,
      page: this.page.value,
      browser: this.browser.value,
      os: this.os.value,
      device: this.device.value === "desktop" || this.device.value === "mobile" || this.device.value === "tablet" ? this.device.value : "",
      appId: this.app.value,
      platform: this.platform.value === "web" || this.platform.value === "mobile" ? this.platform.value : "",
      from: this.from.value,
      to: this.to.value,
      minDuration: this.minDuration.value,
      maxDuration: this.maxDuration.value,
      unit: this.unit.value === "s" ? "s" : "min",
      minActions: this.minActions.value,
      hasErrors: this.hasErrors.checked,
      hasRageClicks: this.hasRageClicks.checked,
      hasDeadClicks: this.hasDeadClicks.checked,
      sort: this.sort.value,
      offset: 0,
    };
    const clean = readFilters(pageQuery(raw));
    this.clear.hidden = !isFiltered(clean);
    return clean;
  }
}

function input(id: string, type: string, attrs: Record<string, string>): HTMLInputElement {
  return h("input", { attrs: { id, name: id, type, ...attrs } });
}

function select(id: string, options: ReadonlyArray<readonly [string, string]>): HTMLSelectElement {
  return h("select", { attrs: { id, name: id } }, ...options.map(([value, label]) => option(value, label)));
}

function option(value: string, label: string): HTMLOptionElement {
  return h("option", { text: label, attrs: { value } });
}

function field(label: string, control: HTMLInputElement | HTMLSelectElement, size = ""): HTMLElement {
  return h(
    "div",
    { class: size ? `field ${size}` : "field" },
    h("label", { class: "field-label", text: label, attrs: { for: control.id } }),
    control,
  );
}

function check(label: string, control: HTMLInputElement): HTMLElement {
  return h("label", { class: "check", attrs: { for: control.id } }, control, h("span", { text: label }));
}

function durationAttrs(label: string): Record<string, string> {
  const placeholder = label.startsWith("Short") ? "at least" : "at most";
  return { min: "0", step: "any", inputmode: "decimal", "aria-label": label, placeholder };
}
