// Reel's own rrweb events: custom events (identify, event, errors) and which events count as interaction.
import type { eventWithTime } from "@rrweb/types";
import { CUSTOM, INCREMENTAL } from "./rrweb";

/** Mouse move, mouse interaction, scroll, input (keyboard), touch move, drag. */
const INTERACTION_SOURCES = new Set([1, 2, 3, 5, 6, 12]);

export const MAX_MESSAGE = 1_000;
const MAX_STACK = 4_000;

/** True for rrweb incremental events caused by the user (mouse, keyboard, touch, scroll). */
export function isInteraction(e: eventWithTime): boolean {
  return e.type === INCREMENTAL && INTERACTION_SOURCES.has((e.data as { source: number }).source);
}

/** A custom rrweb event as `record.addCustomEvent` would emit it (usable before rrweb has started). */
export function customEvent(tag: string, payload: unknown): eventWithTime {
  return { type: CUSTOM, timestamp: Date.now(), data: { tag, payload } } as eventWithTime;
}

/** Payload of a `reel.error` custom event. */
export interface ErrorPayload {
  message: string;
  source?: string;
  line?: number;
  column?: number;
  stack?: string;
}

/** Turns a thrown value into a bounded payload (non-Error values are stringified). */
function describe(value: unknown, fallback: string): Pick<ErrorPayload, "message" | "stack"> {
  let message = fallback;
  let stack: string | undefined;
  try {
    if (value instanceof Error) {
      // The name is kept by masking (`TypeError: ****`), so it goes in front of the message.
      message = value.message ? `${value.name || "Error"}: ${value.message}` : value.name || fallback;
      stack = typeof value.stack === "string" ? value.stack.slice(0, MAX_STACK) : undefined;
    } else if (value !== undefined) {
      message = String(value);
    }
  } catch {
    // A hostile toString: keep the fallback.
  }
  return { message: message.slice(0, MAX_MESSAGE), stack };
}

/** Reports uncaught errors and unhandled rejections as `reel.error` custom events. */
export function captureErrors(win: Window, add: (tag: string, payload: ErrorPayload) => void): void {
  win.addEventListener("error", (ev) => {
    // Resource load failures are plain Events on elements; only script errors are ErrorEvents.
    if (!(ev instanceof ErrorEvent)) return;
    try {
      // Prefer the Error's own message: ev.message carries a browser-specific "Uncaught …" prefix.
      const base = describe(ev.error instanceof Error ? ev.error : undefined, ev.message || "Error");
      add("reel.error", { ...base, source: ev.filename || undefined, line: ev.lineno || undefined,
        column: ev.colno || undefined });
    } catch {
      // Never let error reporting raise its own error in the host page.
    }
  });
  win.addEventListener("unhandledrejection", (ev) => {
    try {
      add("reel.error", describe(ev.reason, "Unhandled promise rejection"));
    } catch {
      // As above.
    }
  });
}
