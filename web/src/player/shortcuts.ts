// The keyboard shortcut help (opened with "?"): a dialog listing what each key does.
import { h } from "./dom";

export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ["Space or K", "Play or pause"],
  ["← / →", "Back or forward 5 seconds"],
  ["Shift + ← / →", "Back or forward 30 seconds"],
  ["Home / End", "Start or end (on the seek bar)"],
  ["S", "Skip inactivity on or off"],
  ["L", "Copy a link to this moment"],
  ["F", "Full screen on or off"],
  ["?", "Show or hide this help"],
  ["Esc", "Close this help"],
];

export class ShortcutHelp {
  readonly element: HTMLElement;

  constructor() {
    const close = h("button", { class: "button", text: "Close", attrs: { type: "button" } });
    close.addEventListener("click", () => this.hide());
    this.element = h(
      "div",
      { class: "shortcut-help", attrs: { role: "dialog", "aria-modal": "false", "aria-labelledby": "shortcut-title" } },
      h(
        "div",
        { class: "shortcut-card" },
        h("h2", { text: "Keyboard shortcuts", attrs: { id: "shortcut-title" } }),
        h("dl", {}, ...SHORTCUTS.flatMap(([key, what]) => [h("dt", {}, h("kbd", { text: key })), h("dd", { text: what })])),
        close,
      ),
    );
    this.element.hidden = true;
    this.element.addEventListener("click", (event) => {
      if (event.target === this.element) this.hide(); // a click beside the card closes it
    });
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  toggle(): void {
    if (this.open) this.hide();
    else this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }
}
