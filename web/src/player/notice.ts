// A short message over the replay ("Skipped 38 s of inactivity", "Link copied"), gone after a moment.
import { h } from "./dom";

const SHOWN_MS = 2500;

export class Notice {
  readonly element = h("div", { class: "stage-notice", attrs: { role: "status", "aria-live": "polite" } });
  private timer: ReturnType<typeof setTimeout> | 0 = 0;

  constructor() {
    this.element.hidden = true;
  }

  show(text: string, kind: string): void {
    this.element.textContent = text;
    this.element.dataset.kind = kind;
    this.element.hidden = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.element.hidden = true;
      this.timer = 0;
    }, SHOWN_MS);
  }
}
