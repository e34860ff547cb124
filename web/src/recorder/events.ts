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

/** One stack frame: function, file (a URL), line and column; any may be missing. */
export interface Frame {
  fn?: string;
  file?: string;
  line?: number;
  col?: number;
}

/** Payload of a `reel.error` custom event (and the error parts of a `reel.console` one). */
export interface ErrorPayload {
  message: string;
  source?: string;
  line?: number;
  column?: number;
  frames?: Frame[];
}

const MAX_FRAMES = 30;
// Chromium and WebKit/Firefox spellings of one frame: `at fn (file:1:2)`, `at file:1:2`, `fn@file:1:2`.
// A Firefox/WebKit function name has no spaces, so a message line cannot pass for a frame of that form.
const FRAME = /^\s*(?:at\s+(?:(.+?)\s+\()?(.+?):(\d+):(\d+)\)?|([^\s@]*)@(.+?):(\d+):(\d+))\s*$/;

/**
 * The frames of an Error's stack; the stack text itself is never sent. The message, which Chromium writes
 * at the top of the stack, is cut out first: its lines must not pass for frames (their names are kept).
 */
export function framesOf(error: Error): Frame[] | undefined {
  let stack = error.stack;
  if (typeof stack !== "string") return undefined;
  const head = `${error.name}: ${error.message}`;
  if (error.message && stack.startsWith(head)) stack = stack.slice(head.length);
  const frames: Frame[] = [];
  for (const line of stack.slice(0, MAX_STACK).split("\n")) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const fn = m[1] ?? m[5];
    frames.push({ fn: fn || undefined, file: m[2] ?? m[6], line: +(m[3] ?? m[7]), col: +(m[4] ?? m[8]) });
    if (frames.length >= MAX_FRAMES) break;
  }
  return frames;
}

/** Turns a thrown value into a bounded payload (non-Error values are stringified). */
export function describe(value: unknown, fallback: string): Pick<ErrorPayload, "message" | "frames"> {
  let message = fallback;
  let frames: Frame[] | undefined;
  try {
    if (value instanceof Error) {
      // The name is kept by masking (`TypeError: ****`), so it goes in front of the message.
      message = value.message ? `${value.name || "Error"}: ${value.message}` : value.name || fallback;
      frames = framesOf(value);
    } else if (value !== undefined) {
      message = String(value);
    }
  } catch {
    // A hostile toString: keep the fallback.
  }
  return { message: message.slice(0, MAX_MESSAGE), frames };
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
