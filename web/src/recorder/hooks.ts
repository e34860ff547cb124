// Page hooks for the session model (brief §3.3): in-app navigation, form submits, console messages of the
// chosen levels and failed or slow requests, as Reel custom events. Installed once, on the first start;
// `add` drops events while not recording. None may throw into the page or change what the wrapped call
// does. Masking happens later, with every other event (scrub.ts).
import { framesOf, MAX_MESSAGE, type Frame } from "./events";
import { watchNetwork } from "./network";
import type { Capture } from "./policy";

type Add = (tag: string, payload: Record<string, unknown>) => void;

/** Replaces `obj[name]` by a wrapper that calls `report(args)` (errors swallowed) and the original. */
function wrap(obj: object, name: string, report: (args: unknown[]) => void, after?: boolean): void {
  const o = obj as Record<string, unknown>;
  const orig = o[name];
  if (typeof orig !== "function") return;
  o[name] = function (this: unknown, ...args: unknown[]) {
    if (!after) safe(() => report(args));
    const result: unknown = orig.apply(this, args);
    if (after) safe(() => report(args));
    return result;
  };
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // Never let reporting break the page.
  }
}

/** Installs every hook; `ours` tells Reel's own requests (beacons, config), which are never reported. */
export function watchPage(win: Window, add: Add, capture: Capture, ours: (url: string) => boolean): void {
  // In-app navigation: history.pushState/replaceState, back/forward and fragment changes.
  let last = location.href;
  const navigated = (): void => {
    if (location.href !== last) add("reel.navigation", { href: (last = location.href) });
  };
  wrap(history, "pushState", navigated, true);
  wrap(history, "replaceState", navigated, true);
  win.addEventListener("popstate", () => safe(navigated));
  win.addEventListener("hashchange", () => safe(navigated));

  // Form submits, captured before the page's own handlers can stop them; named like the server's click
  // targets (`form#checkout-form.wide`).
  win.addEventListener("submit", (ev) => safe(() => {
    const form = ev.target as Element;
    add("reel.submit", { target: form.localName + (form.id ? `#${form.id}` : "")
      + Array.from(form.classList).slice(0, 3).map((c) => `.${c}`).join("") });
  }), true);

  // The console levels the application chose; a console call made while reporting one is not reported again.
  let inside = false;
  for (const level of capture.console) {
    wrap(console, level, (args) => {
      if (inside) return;
      inside = true;
      try {
        add("reel.console", consoleMessage(level, args));
      } finally {
        inside = false;
      }
    });
  }
  if (capture.network) watchNetwork(win, capture.slowMs, ours, (payload) => add("reel.network", { ...payload }));
}

/** A console call as a bounded message: arguments described shallowly (walking objects costs the page). */
function consoleMessage(level: string, args: unknown[]): Record<string, unknown> {
  let frames: Frame[] | undefined;
  const text = args.map((a) => {
    if (a instanceof Error) {
      frames ??= framesOf(a);
      return `${a.name}: ${a.message}`;
    }
    if (a === null || typeof a !== "object") return String(a);
    if (Array.isArray(a)) return `Array(${a.length})`;
    const keys = Object.keys(a);
    return `{${keys.slice(0, 5).join(", ")}${keys.length > 5 ? ", …" : ""}}`;
  }).join(" ");
  return { level, message: text.slice(0, MAX_MESSAGE), frames };
}
