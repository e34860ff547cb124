// Which of a session's segments the player holds (brief §3.10): the replayer plays a window of consecutive
// segments — the first one from its head (the keyframe), the others following on — around the playhead.
// Pure: segment times and the window in, decisions out. Indices here are positions in the session's
// `segments` list, not the API's segment numbers.
import { lastAtOrBefore } from "./util";

export interface Span {
  start: number; // epoch ms
  end: number; // exclusive, except for the last segment
}

/** Segments `base` … `last` (inclusive) are in the replayer, `base` played from its head. */
export interface SegmentWindow {
  base: number;
  last: number;
}

/** While playing, segments up to this many after the playhead's are loaded ahead. */
export const AHEAD = 1;
/**
 * The replayer holds at most this many segments: the oldest are dropped (by starting again from a later
 * segment's head) so that memory stays bounded in a session of any length. A segment holds ≤ 1 MiB of
 * event JSON (processing/keyframes.py), a few MB once parsed.
 */
export const MAX_SEGMENTS = 6;
/**
 * A seek stays in the replayer when it fast-forwards through at most this many segments (~20 ms per
 * segment in Chromium); further, it starts again from the target segment's head, fetched alone.
 */
export const FAST_FORWARD_SEGMENTS = 1;

/** Index of the segment showing `time`: the last one starting at or before it (the first before any). */
export function segmentAt(segments: readonly Span[], time: number): number {
  return Math.max(0, lastAtOrBefore(segments, time, (s) => s.start));
}

/** Whether the window holds everything needed to show `time`. */
export function covers(segments: readonly Span[], win: SegmentWindow | null, time: number): boolean {
  if (win === null || segments.length === 0) return false;
  const at = segmentAt(segments, time);
  return win.base <= at && at <= win.last;
}

/**
 * How to show `time`, the replayer having applied the events up to `from` (its position): `reuse` the
 * window when the replayer gets there cheaply, else `rebuild` from the head of the segment `at`.
 */
export function seekPlan(
  segments: readonly Span[],
  win: SegmentWindow | null,
  from: number,
  time: number,
): { kind: "reuse" } | { kind: "rebuild"; at: number } {
  const at = segmentAt(segments, time);
  if (win === null || !covers(segments, win, time)) return { kind: "rebuild", at };
  // rrweb goes forward from where it is; going back it replays from the window's head.
  const current = segmentAt(segments, from);
  const forward = time >= from && at - current <= FAST_FORWARD_SEGMENTS;
  const nearHead = at - win.base <= FAST_FORWARD_SEGMENTS;
  return forward || nearHead ? { kind: "reuse" } : { kind: "rebuild", at };
}

/**
 * What to load next while the playhead is at `time`: the next segment to `append` (without its head),
 * the head of the segment to `roll` over to once the window is full, or nothing.
 */
export function nextLoad(
  segments: readonly Span[],
  win: SegmentWindow | null,
  time: number,
): { kind: "append" | "roll"; index: number } | null {
  if (win === null) return null;
  const next = win.last + 1;
  if (next >= segments.length || next > segmentAt(segments, time) + AHEAD) return null;
  return next - win.base < MAX_SEGMENTS ? { kind: "append", index: next } : { kind: "roll", index: next };
}
