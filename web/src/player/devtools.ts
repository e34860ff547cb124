// The console and network panels under the replay: the session's console messages, errors and failed or
// slow requests (Reel's `reel.console`, `reel.error` and `reel.network` custom events, masked by the server),
// each listed once the playhead reaches it, the latest one highlighted; a click seeks to it.
import type { eventWithTime } from "@rrweb/types";
import { h } from "./dom";
import { formatClock } from "./format";
import { lastAtOrBefore } from "./util";

type Tab = "console" | "network";

interface Frame {
  fn?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** One row of a panel. */
export interface DevEntry {
  ts: number;
  tab: Tab;
  /** `log`…`error` for console rows (an uncaught error is `error`); `failed` or `slow` for requests. */
  level: string;
  text: string;
  /** Stack frames (errors) or the request's figures, shown under the row. */
  detail: string[];
}

const CUSTOM = 5;

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function frameLine(f: Frame): string {
  const where = [f.file || "?", f.line, f.col].filter((x) => x !== undefined).join(":");
  return `at ${f.fn || "(anonymous)"} (${where})`;
}

function bytes(n: number | undefined): string {
  if (n === undefined) return "";
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(n < 10_240 ? 1 : 0)} KB`;
}

/** The panel rows of one event, or null for events that are not console or network ones. */
export function devEntry(e: eventWithTime): DevEntry | null {
  if (e.type !== CUSTOM) return null;
  const data = e.data as { tag?: unknown; payload?: unknown };
  const p = (data.payload && typeof data.payload === "object" ? data.payload : {}) as Record<string, unknown>;
  const frames = Array.isArray(p.frames) ? (p.frames as Frame[]).filter((f) => f && typeof f === "object") : [];
  if (data.tag === "reel.console" || data.tag === "reel.error") {
    const uncaught = data.tag === "reel.error" && p.kind !== "console";
    const where = str(p.source) ? [`${str(p.source)}:${num(p.line) ?? "?"}:${num(p.column) ?? "?"}`] : [];
    return {
      ts: e.timestamp,
      tab: "console",
      level: uncaught ? "error" : str(p.level) || "log",
      text: (uncaught ? "Uncaught " : "") + str(p.message),
      detail: frames.length ? frames.map(frameLine) : uncaught ? where : [],
    };
  }
  if (data.tag === "reel.network") {
    const status = num(p.status) ?? 0;
    const failed = status >= 400 || !!str(p.error);
    const figures = [
      `${num(p.duration) ?? 0} ms`,
      bytes(num(p.req)) && `sent ${bytes(num(p.req))}`,
      bytes(num(p.res)) && `received ${bytes(num(p.res))}`,
      str(p.via),
    ].filter(Boolean);
    return {
      ts: e.timestamp,
      tab: "network",
      level: failed ? "failed" : "slow",
      text: `${str(p.method) || "GET"} ${status || str(p.error) || "—"} ${str(p.url)}`,
      detail: [figures.join(" · ")],
    };
  }
  return null;
}

export class DevtoolsPanel {
  readonly element: HTMLElement;
  private readonly tabs: Record<Tab, HTMLButtonElement>;
  private readonly lists: Record<Tab, HTMLOListElement>;
  private readonly entries: Record<Tab, DevEntry[]> = { console: [], network: [] };
  private readonly rows: Record<Tab, HTMLElement[]> = { console: [], network: [] };
  private readonly shown: Record<Tab, number> = { console: -2, network: -2 };
  private tab: Tab = "console";
  private at = Number.NEGATIVE_INFINITY;

  constructor(
    /** The session start (ms epoch): times are shown from it. */
    private readonly start: number,
    /** The operator picked a row: seek to its moment (ms epoch). */
    private readonly onSelect: (ts: number) => void,
  ) {
    const tab = (name: Tab, label: string): HTMLButtonElement => {
      const b = h("button", { class: "dt-tab", attrs: { type: "button", role: "tab", "data-tab": name } });
      b.append(h("span", { text: label }), h("span", { class: "chip-count", text: "0" }));
      b.addEventListener("click", () => this.select(name));
      return b;
    };
    this.tabs = { console: tab("console", "Console"), network: tab("network", "Network") };
    const list = (name: Tab): HTMLOListElement =>
      h("ol", { class: "dt-list", attrs: { role: "tabpanel", "data-tab": name, "aria-label": `${name} entries` } });
    this.lists = { console: list("console"), network: list("network") };
    this.element = h(
      "section",
      { class: "devtools", attrs: { "aria-label": "Console and network" } },
      h("div", { class: "dt-tabs", attrs: { role: "tablist" } }, this.tabs.console, this.tabs.network),
      this.lists.console,
      this.lists.network,
    );
    this.select("console");
  }

  /** Takes the console and network events of a newly loaded chunk (chunks may arrive out of order). */
  add(events: readonly eventWithTime[]): void {
    const fresh = events.map(devEntry).filter((e): e is DevEntry => e !== null);
    if (fresh.length === 0) return;
    for (const name of ["console", "network"] as const) {
      const mine = fresh.filter((e) => e.tab === name);
      if (mine.length === 0) continue;
      const all = this.entries[name].concat(mine).sort((a, b) => a.ts - b.ts);
      this.entries[name] = all;
      this.rows[name] = all.map((e) => this.row(e));
      this.lists[name].replaceChildren(...this.rows[name]);
      this.shown[name] = -2; // redraw
    }
    this.setTime(this.at);
  }

  /** Shows the rows at or before `at` (ms epoch), the last of them highlighted and kept in view. */
  setTime(at: number): void {
    this.at = at;
    for (const name of ["console", "network"] as const) {
      const index = lastAtOrBefore(this.entries[name], at, (e) => e.ts);
      if (index === this.shown[name]) continue;
      this.shown[name] = index;
      this.rows[name].forEach((row, i) => {
        row.hidden = i > index;
        row.classList.toggle("current", i === index);
      });
      const count = this.tabs[name].querySelector(".chip-count");
      if (count) count.textContent = String(index + 1);
      const last = this.rows[name][index];
      if (last && name === this.tab) last.scrollIntoView({ block: "nearest" });
    }
  }

  private select(name: Tab): void {
    this.tab = name;
    for (const other of ["console", "network"] as const) {
      this.tabs[other].setAttribute("aria-selected", String(other === name));
      this.lists[other].hidden = other !== name;
    }
  }

  private row(e: DevEntry): HTMLElement {
    const li = h(
      "li",
      { class: "dt-row", attrs: { "data-level": e.level, title: "Go to this moment" } },
      h("span", { class: "a-time", text: formatClock(e.ts - this.start) }),
      h("span", { class: "dt-text", text: e.text }),
      ...e.detail.filter(Boolean).map((d) => h("span", { class: "dt-detail", text: d })),
    );
    li.addEventListener("click", () => this.onSelect(e.ts));
    return li;
  }
}
