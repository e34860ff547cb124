// Page hooks for the session model (brief §3.3): in-app navigation, form submits, and console errors and
// warnings, as Reel custom events. Installed once, on the first start; `add` drops events while not
// recording. None may throw into the page or change what the wrapped call does. Masking happens later,
// with every other event (scrub.ts).
import { MAX_MESSAGE } from "./events";

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

/** Installs every hook. */
export function watchPage(win: Window, add: Add): void {
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

  // console.error and console.warn; a console call made while reporting one is not reported again.
  let inside = false;
  for (const level of ["error", "warn"]) {
    wrap(console, level, (args) => {
      if (inside) return;
      inside = true;
      try {
        const text = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" ");
        add("reel.error", { kind: "console", level, message: text.slice(0, MAX_MESSAGE) });
      } finally {
        inside = false;
      }
    });
  }
}
