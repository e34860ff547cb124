// The address bar above the replay: the recorded page's URL at the playhead.
import { h } from "./dom";
import { shortUrl } from "./format";

export class UrlBar {
  readonly element: HTMLElement;
  private readonly text = h("span", { class: "url-text", text: "" });

  constructor(initial: string | null) {
    this.text.textContent = shortUrl(initial);
    this.element = h(
      "div",
      { class: "urlbar" },
      h("span", { class: "dots", attrs: { "aria-hidden": "true" } }, h("i"), h("i"), h("i")),
      h("span", { class: "url", attrs: { "aria-label": "Page URL at this moment" } }, this.text),
    );
  }

  /** Shows `href` (null: no page at this moment); cheap when nothing changed, as it runs every frame. */
  show(href: string | null): void {
    const shown = href === null ? "—" : shortUrl(href);
    if (this.text.textContent === shown) return;
    this.text.textContent = shown;
    this.text.title = href ?? "";
  }
}
