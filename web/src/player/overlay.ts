// Messages drawn over the replay stage. Each has a kind (a CSS hook and a test hook) and is rebuilt only
// when what it says changes, because the player asks on every animation frame.
import { h } from "./dom";

export type OverlayKind = "loading" | "buffering" | "gap" | "no-snapshot" | "error" | "empty";

export interface OverlayContent {
  kind: OverlayKind;
  title: string;
  detail?: string;
  action?: { label: string; run: () => void };
  /** A second, quieter action (for example a link back to the list). */
  link?: { label: string; href: string };
}

export class Overlay {
  readonly element: HTMLElement;
  private key = "";

  constructor() {
    this.element = h("div", { class: "overlay", attrs: { role: "status", "aria-live": "polite" } });
    this.element.hidden = true;
  }

  get kind(): OverlayKind | null {
    return this.element.hidden ? null : ((this.element.dataset.kind as OverlayKind | undefined) ?? null);
  }

  show(content: OverlayContent): void {
    const key = JSON.stringify([content.kind, content.title, content.detail, content.action?.label, content.link?.href]);
    if (key === this.key && !this.element.hidden) return;
    this.key = key;
    const card = h(
      "div",
      { class: "overlay-card" },
      content.kind === "loading" || content.kind === "buffering" ? h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }) : null,
      h("p", { class: "overlay-title", text: content.title }),
      content.detail ? h("p", { class: "overlay-detail", text: content.detail }) : null,
    );
    if (content.action || content.link) {
      const row = h("p", { class: "overlay-actions" });
      if (content.action) {
        const { run, label } = content.action;
        const b = h("button", { class: "button primary", text: label, attrs: { type: "button" } });
        b.addEventListener("click", run);
        row.append(b);
      }
      if (content.link) row.append(h("a", { class: "button", text: content.link.label, attrs: { href: content.link.href } }));
      card.append(row);
    }
    this.element.dataset.kind = content.kind;
    this.element.replaceChildren(card);
    this.element.hidden = false;
  }

  hide(): void {
    if (this.element.hidden) return;
    this.element.hidden = true;
    this.key = "";
    this.element.replaceChildren();
    delete this.element.dataset.kind;
  }
}
