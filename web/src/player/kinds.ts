// What each kind of action is called and how it is drawn, shared by the timeline markers and the action
// list; and the list of actions as shown (a click that turned out dead is listed once, as a dead click).
import type { Action } from "./api";
import { shortUrl } from "./format";

/** Filter groups of the action list. */
export type ActionGroup = "pages" | "clicks" | "errors" | "other";

interface KindInfo {
  label: string;
  group: ActionGroup;
  /** The marker drawn on the seek bar, or null for kinds without one (inputs, selects, submits). */
  marker: "page" | "error" | "rage" | "dead" | "click" | "identify" | "custom" | null;
  /** Which marker wins where several fall on the same pixel, and which tooltip shows: higher first. */
  rank: number;
}

const KINDS: Record<string, KindInfo> = {
  load: { label: "Page load", group: "pages", marker: "page", rank: 3 },
  navigation: { label: "Navigation", group: "pages", marker: "page", rank: 3 },
  click: { label: "Click", group: "clicks", marker: "click", rank: 0 },
  rage_click: { label: "Rage click", group: "clicks", marker: "rage", rank: 5 },
  dead_click: { label: "Dead click", group: "clicks", marker: "dead", rank: 1 },
  input: { label: "Input", group: "other", marker: null, rank: 0 },
  select: { label: "Select", group: "other", marker: null, rank: 0 },
  submit: { label: "Form submit", group: "other", marker: null, rank: 0 },
  identify: { label: "Identify", group: "other", marker: "identify", rank: 2 },
  custom: { label: "Event", group: "other", marker: "custom", rank: 2 },
  error: { label: "Error", group: "errors", marker: "error", rank: 6 },
  network_error: { label: "Request failed", group: "errors", marker: "error", rank: 6 },
};
const UNKNOWN: KindInfo = { label: "Action", group: "other", marker: null, rank: 0 };

export function kindInfo(kind: string): KindInfo {
  return Object.prototype.hasOwnProperty.call(KINDS, kind) ? KINDS[kind] : { ...UNKNOWN, label: humanise(kind) };
}

/** A CSS-safe token for the kind (data-kind attributes), whatever the server sent. */
export function kindToken(kind: string): string {
  return /^[a-z_]{1,30}$/.test(kind) ? kind : "other";
}

/** What the action was about, in one line: the page for loads, the element for clicks, the message… */
export function actionSubject(a: Action): { target: string; text: string } {
  switch (a.kind) {
    case "load":
    case "navigation":
      return { target: "", text: shortUrl(a.url) };
    case "identify":
      return { target: "", text: a.label ? `as ${a.label}` : "" };
    case "error":
    case "network_error": {
      const source = typeof a.data.source === "string" && a.data.source ? ` (${a.data.source})` : "";
      return { target: "", text: a.label + source };
    }
    case "rage_click": {
      const clicks = typeof a.data.clicks === "number" ? `${a.data.clicks}× ` : "";
      return { target: a.target, text: clicks + quoted(a.label) };
    }
    default:
      return { target: a.target, text: quoted(a.label) };
  }
}

/** A one-line description for tooltips and accessible names: "Rage click · button#buy “Buy”". */
export function describeAction(a: Action): string {
  const { target, text } = actionSubject(a);
  return [kindInfo(a.kind).label, [target, text].filter(Boolean).join(" ")].filter(Boolean).join(" · ");
}

/**
 * The actions as listed, in time order: the server reports a dead click as a "click" and a "dead_click" at
 * the same moment on the same target; the list shows it once, as the dead click.
 */
export function listedActions(actions: readonly Action[]): Action[] {
  const dead = new Set(actions.filter((a) => a.kind === "dead_click").map((a) => `${a.ts}\u0000${a.target}`));
  return actions
    .filter((a) => !(a.kind === "click" && dead.has(`${a.ts}\u0000${a.target}`)))
    .sort((x, y) => x.ts - y.ts || kindInfo(y.kind).rank - kindInfo(x.kind).rank);
}

function quoted(label: string): string {
  return label ? `“${label}”` : "";
}

function humanise(kind: string): string {
  const words = kind.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Action";
}
