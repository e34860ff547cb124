// The control bar (play/pause, time, seek bar, speed, skip inactivity, copy link, full screen, shortcut
// help) and the keyboard shortcuts.
import { h } from "./dom";
import { formatClock } from "./format";
import type { Timeline } from "./timeline";

export const SPEEDS = [1, 2, 4, 8] as const;
const SEEK_STEP_MS = 5_000;
const SEEK_BIG_STEP_MS = 30_000;

export interface ControlActions {
  togglePlay(): void;
  seekBy(deltaMs: number): void;
  setSpeed(speed: number): void;
  setSkipInactive(skip: boolean): void;
  /** Copy a link that opens the player paused at the current moment. */
  copyLink(): void;
  toggleFullscreen(): void;
  toggleHelp(): void;
  /** Close what Escape closes (the shortcut help); false when nothing was open. */
  closeHelp(): boolean;
}

export class Controls {
  readonly element: HTMLElement;
  private readonly playButton: HTMLButtonElement;
  private readonly elapsed: HTMLElement;
  private readonly speedButtons: HTMLButtonElement[];
  private readonly skip: HTMLInputElement;

  constructor(
    timeline: Timeline,
    total: number,
    private readonly actions: ControlActions,
    initial: { speed: number; skipInactive: boolean },
  ) {
    this.playButton = button("play", "Play (Space)", () => actions.togglePlay());
    this.playButton.append(h("span", { class: "icon", attrs: { "aria-hidden": "true" } }));
    this.elapsed = h("span", { class: "elapsed", text: formatClock(0) });
    const time = h(
      "span",
      { class: "time", attrs: { "aria-live": "off" } },
      this.elapsed,
      h("span", { class: "sep", text: " / " }),
      h("span", { class: "total", text: formatClock(total) }),
    );
    this.speedButtons = SPEEDS.map((speed) => {
      const b = button("speed", `Play at ${speed}× speed`, () => {
        this.showSpeed(speed);
        actions.setSpeed(speed);
      });
      b.textContent = `${speed}×`;
      b.dataset.speed = String(speed);
      return b;
    });
    this.showSpeed(initial.speed);
    this.skip = h("input", { attrs: { type: "checkbox", id: "skip-inactive" } });
    this.skip.checked = initial.skipInactive;
    this.skip.addEventListener("change", () => {
      actions.setSkipInactive(this.skip.checked);
      // A mouse click leaves focus on the checkbox, where Space would toggle it instead of playing.
      if (!this.skip.matches(":focus-visible")) this.skip.blur();
    });
    const link = button("copy-link", "Copy a link to this moment (L)", () => actions.copyLink());
    link.textContent = "Copy link";
    const full = button("fullscreen", "Full screen (F)", () => actions.toggleFullscreen());
    full.append(h("span", { class: "icon", attrs: { "aria-hidden": "true" } }));
    const help = button("help", "Keyboard shortcuts (?)", () => actions.toggleHelp());
    help.textContent = "?";
    this.element = h(
      "div",
      { class: "controls" },
      this.playButton,
      time,
      timeline.element,
      h("div", { class: "speeds", attrs: { role: "group", "aria-label": "Playback speed" } }, ...this.speedButtons),
      h(
        "label",
        { class: "toggle", attrs: { for: "skip-inactive", title: "Fast-forward through periods without user activity" } },
        this.skip,
        h("span", { text: "Skip inactivity" }),
      ),
      link,
      full,
      help,
    );
  }

  /** Shows the toggle's state when it changes by a shortcut. */
  setSkipInactive(skip: boolean): void {
    this.skip.checked = skip;
  }

  setPlaying(playing: boolean): void {
    this.playButton.classList.toggle("playing", playing);
    const label = playing ? "Pause (Space)" : "Play (Space)";
    this.playButton.setAttribute("aria-label", label);
    this.playButton.title = label;
  }

  setTime(ms: number): void {
    this.elapsed.textContent = formatClock(ms);
  }

  private showSpeed(speed: number): void {
    for (const b of this.speedButtons) b.setAttribute("aria-pressed", String(Number(b.dataset.speed) === speed));
  }

  /** The page-wide shortcuts; the page installs one document listener that calls this. */
  handleKey(event: KeyboardEvent): void {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      if (this.actions.closeHelp()) event.preventDefault();
      return;
    }
    const target = event.target instanceof HTMLElement ? event.target : null;
    // Typing in a field, or activating a focused button with the keyboard, keeps its native meaning.
    if (target?.closest("input, textarea, select, [contenteditable]")) return;
    if (target?.closest("button, a") && (event.key === " " || event.key === "Enter")) return;
    switch (event.key) {
      case " ":
      case "k":
        this.actions.togglePlay();
        break;
      case "ArrowLeft":
        this.actions.seekBy(-(event.shiftKey ? SEEK_BIG_STEP_MS : SEEK_STEP_MS));
        break;
      case "ArrowRight":
        this.actions.seekBy(event.shiftKey ? SEEK_BIG_STEP_MS : SEEK_STEP_MS);
        break;
      case "s":
        this.skip.checked = !this.skip.checked;
        this.actions.setSkipInactive(this.skip.checked);
        break;
      case "l":
        this.actions.copyLink();
        break;
      case "f":
        this.actions.toggleFullscreen();
        break;
      case "?":
        this.actions.toggleHelp();
        break;
      default:
        return;
    }
    event.preventDefault();
  }
}

function button(cls: string, label: string, onClick: () => void): HTMLButtonElement {
  const b = h("button", { class: cls, attrs: { type: "button", "aria-label": label, title: label } });
  // Keep focus where it was on mouse clicks, so Space keeps meaning play/pause after clicking a control.
  b.addEventListener("mousedown", (event) => event.preventDefault());
  b.addEventListener("click", onClick);
  return b;
}
