// Skipping inactivity: the idle periods the server found (no user interaction for over 5 s) and where
// playback inside one jumps to. Pure; times are ms from the session start.

/** Playback lands this long before activity resumes, so the operator sees it resume. */
export const IDLE_LEAD_MS = 1000;
/** Skips shorter than this are not worth the jump (and its notice). */
const MIN_SKIP_MS = 1500;

export interface Span {
  from: number;
  to: number;
}

/** The idle periods of a session, from the API's epoch times to offsets from its start, sorted. */
export function idleSpans(idle: ReadonlyArray<{ start: number; end: number }> | undefined, start: number): Span[] {
  return (idle ?? [])
    .map((p) => ({ from: p.start - start, to: p.end - start }))
    .filter((s) => s.to > s.from)
    .sort((a, b) => a.from - b.from);
}

/**
 * Where playback at `at` skips to: the end of the idle period it is in (less the lead), or null when
 * it is in none, or the jump would be short. `hold` (an action picked in the list) delays skipping
 * until then, so the action itself is seen.
 */
export function skipTarget(spans: readonly Span[], at: number, hold: number): number | null {
  if (at < hold) return null;
  for (const s of spans) {
    if (s.from > at) break;
    const target = s.to - IDLE_LEAD_MS;
    if (at < target - MIN_SKIP_MS) return target;
  }
  return null;
}
