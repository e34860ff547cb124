// The action list beside the replay: every action with its time, kind, target and label; filter chips;
// the action the playhead last passed highlighted; a click seeks to just before the action.
import type { Action } from "./api";
import { h } from "./dom";
import { formatClock } from "./format";
import { actionSubject, describeAction, kindInfo, kindToken, listedActions, type ActionGroup } from "./kinds";
import { lastAtOrBefore } from "./util";

type Filter = "all" | ActionGroup;

const CHIPS: ReadonlyArray<{ filter: Filter; label: string; empty: string }> = [
  { filter: "all", label: "All", empty: "No actions were recorded in this session." },
  { filter: "errors", label: "Errors", empty: "No errors in this session." },
  { filter: "clicks", label: "Clicks", empty: "No clicks in this session." },
  { filter: "pages", label: "Pages", empty: "No page loads or navigations in this session." },
];
/** After the operator scrolls the list, it stops following the playhead for a while. */
const FOLLOW_PAUSE_MS = 4000;

export class ActionPanel {
  readonly element: HTMLElement;
  private readonly chips: HTMLButtonElement[];
  private readonly list = h("ol", { class: "action-list", attrs: { "aria-label": "Actions, in time order" } });
  private readonly note = h("p", { class: "panel-note muted", attrs: { role: "status" } });
  private actions: Action[] = [];
  private visible: Action[] = [];
  private items: HTMLButtonElement[] = [];
  private filter: Filter = "all";
  private current = -1;
  private at = Number.NEGATIVE_INFINITY;
  private scrolledAt = 0;

  constructor(
    /** The session start (ms epoch): times are shown from it. */
    private readonly start: number,
    /** The operator picked an action. */
    private readonly onSelect: (action: Action) => void,
  ) {
    this.chips = CHIPS.map(({ filter, label }) => {
      const pressed = String(filter === "all");
      const b = h("button", { class: "chip", attrs: { type: "button", "aria-pressed": pressed, "data-filter": filter } });
      b.append(h("span", { text: label }), h("span", { class: "chip-count" }));
      b.addEventListener("click", () => this.setFilter(filter));
      return b;
    });
    this.element = h(
      "aside",
      { class: "action-panel", attrs: { "aria-labelledby": "actions-title" } },
      h("div", { class: "panel-head" }, h("h2", { text: "Actions", attrs: { id: "actions-title" } })),
      h("div", { class: "chips", attrs: { role: "group", "aria-label": "Show" } }, ...this.chips),
      this.note,
      this.list,
    );
    for (const type of ["wheel", "touchmove"]) {
      this.list.addEventListener(type, () => (this.scrolledAt = Date.now()), { passive: true });
    }
    this.list.addEventListener("keydown", (event) => this.onKey(event));
    this.loading();
  }

  loading(): void {
    this.showNote("Loading actions…");
  }

  failed(message: string, retry: () => void): void {
    const b = h("button", { class: "button", text: "Retry", attrs: { type: "button" } });
    b.addEventListener("click", retry);
    this.note.replaceChildren(h("span", { text: message }), " ", b);
    this.note.hidden = false;
    this.list.replaceChildren();
  }

  set(actions: readonly Action[]): void {
    this.actions = listedActions(actions);
    // Times past an hour need the wider h:mm:ss column.
    this.list.classList.toggle("long", this.actions.some((a) => a.ts - this.start >= 3_600_000));
    for (const chip of this.chips) {
      const filter = chip.dataset.filter as Filter;
      const n = filter === "all" ? this.actions.length : this.actions.filter((a) => kindInfo(a.kind).group === filter).length;
      const badge = chip.querySelector(".chip-count");
      if (badge) badge.textContent = String(n);
    }
    this.render();
  }

  /** Highlights the last action at or before `at` (ms epoch), and keeps it in view while playing. */
  setTime(at: number): void {
    this.at = at;
    const index = lastAtOrBefore(this.visible, at, (a) => a.ts);
    if (index === this.current) return;
    this.current = index;
    this.items.forEach((item, i) => {
      const isCurrent = i === index;
      item.classList.toggle("current", isCurrent);
      item.classList.toggle("future", i > index);
      if (isCurrent) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
    if (index < 0 || this.list.contains(document.activeElement)) return; // the operator is using the list
    this.roveTo(index, false); // tabbing into the list lands on the current action
    if (Date.now() - this.scrolledAt > FOLLOW_PAUSE_MS) this.reveal(this.items[index]);
  }

  private setFilter(filter: Filter): void {
    this.filter = filter;
    for (const chip of this.chips) chip.setAttribute("aria-pressed", String(chip.dataset.filter === filter));
    this.render();
  }

  private render(): void {
    this.visible = this.filter === "all" ? this.actions : this.actions.filter((a) => kindInfo(a.kind).group === this.filter);
    this.items = this.visible.map((a) => this.item(a));
    this.list.replaceChildren(...this.items.map((item) => h("li", {}, item)));
    const empty = this.visible.length === 0;
    if (empty) this.showNote(CHIPS.find((c) => c.filter === this.filter)?.empty ?? "");
    else this.note.hidden = true;
    // Exactly one item is in the tab order (roving tabindex); arrow keys move between them.
    this.items.forEach((item, i) => (item.tabIndex = i === 0 ? 0 : -1));
    this.current = -2; // force setTime to redraw the highlight
    this.setTime(this.at);
    if (this.current >= 0) this.roveTo(this.current, false);
  }

  private item(a: Action): HTMLButtonElement {
    const info = kindInfo(a.kind);
    const { target, text } = actionSubject(a);
    const b = h(
      "button",
      { class: "action", attrs: { type: "button", "data-kind": kindToken(a.kind), title: `${describeAction(a)}\n${a.url}` } },
      h("span", { class: "a-time", text: formatClock(a.ts - this.start) }),
      h("span", { class: "a-icon", attrs: { "aria-hidden": "true" } }),
      h(
        "span",
        { class: "a-body" },
        h("span", { class: "a-kind", text: info.label }),
        target ? h("code", { class: "a-target", text: target }) : null,
        text ? h("span", { class: info.group === "pages" ? "a-text a-url" : "a-text", text }) : null,
      ),
    );
    // A mouse click leaves focus where it was, so Space still means play/pause; keyboard users tab in.
    b.addEventListener("mousedown", (event) => event.preventDefault());
    b.addEventListener("click", () => {
      this.roveTo(this.items.indexOf(b), false);
      this.onSelect(a);
    });
    return b;
  }

  private onKey(event: KeyboardEvent): void {
    const index = this.items.findIndex((item) => item === document.activeElement);
    if (index < 0) return;
    let next: number;
    if (event.key === "ArrowDown") next = Math.min(this.items.length - 1, index + 1);
    else if (event.key === "ArrowUp") next = Math.max(0, index - 1);
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = this.items.length - 1;
    else return;
    event.preventDefault();
    event.stopPropagation();
    this.roveTo(next, true);
  }

  private roveTo(index: number, focus: boolean): void {
    const item = this.items[index];
    if (!item) return;
    for (const other of this.items) other.tabIndex = -1;
    item.tabIndex = 0;
    if (focus) {
      item.focus({ preventScroll: true });
      this.reveal(item);
    }
  }

  /** Scrolls the list (only the list, never the page) so `item` is in view. */
  private reveal(item: HTMLElement): void {
    const box = item.getBoundingClientRect();
    const view = this.list.getBoundingClientRect();
    if (box.top < view.top) this.list.scrollTop -= view.top - box.top + 8;
    else if (box.bottom > view.bottom) this.list.scrollTop += box.bottom - view.bottom + 8;
  }

  private showNote(text: string): void {
    this.note.replaceChildren(text);
    this.note.hidden = false;
  }
}
