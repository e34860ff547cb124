// The player's segment-window planner (src/player/window.ts): what a seek, a deep link and playback load.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AHEAD, FAST_FORWARD_SEGMENTS, MAX_SEGMENTS, covers, nextLoad, seekPlan, segmentAt } from "../../src/player/window";

function check(what: string, actual: unknown, expected: unknown): void {
  assert.deepEqual(actual, expected, what);
}

test("the window loads around the playhead only: far seeks start from the target's head, loads go one segment ahead, a full window rolls over", () => {
  // 100 segments of 5 minutes from t=0.
  const MIN = 60_000;
  const segments = Array.from({ length: 100 }, (_, i) => ({ start: i * 5 * MIN, end: (i + 1) * 5 * MIN }));
  const last = segments.length - 1;

  check("segment of a time inside", segmentAt(segments, 7 * MIN), 1);
  check("segment of a boundary is the later one", segmentAt(segments, 5 * MIN), 1);
  check("before the first segment: the first", segmentAt(segments, -1), 0);
  check("after the end: the last", segmentAt(segments, 10_000 * MIN), last);

  check("no window covers nothing", covers(segments, null, 0), false);
  check("a window covers its segments", covers(segments, { base: 3, last: 5 }, 29 * MIN), true);
  check("not before its base", covers(segments, { base: 3, last: 5 }, 14 * MIN), false);
  check("not after its last", covers(segments, { base: 3, last: 5 }, 30 * MIN), false);

  // A deep link (nothing loaded) or a seek far away: start from the target's head, whatever the length.
  check("first open at the end", seekPlan(segments, null, Number.NEGATIVE_INFINITY, 495 * MIN), { kind: "rebuild", at: 99 });
  check("far forward", seekPlan(segments, { base: 0, last: 1 }, 0, 300 * MIN), { kind: "rebuild", at: 60 });
  check("far back", seekPlan(segments, { base: 60, last: 61 }, 301 * MIN, 7 * MIN), { kind: "rebuild", at: 1 });
  // Inside the window: forward a little from where the replayer is, or near its head, stays.
  check("forward within a segment", seekPlan(segments, { base: 10, last: 12 }, 52 * MIN, 54 * MIN), { kind: "reuse" });
  check(
    "forward by the allowed segments",
    seekPlan(segments, { base: 10, last: 12 }, 52 * MIN, (10 + FAST_FORWARD_SEGMENTS) * 5 * MIN + 1),
    { kind: "reuse" },
  );
  check("back near the head", seekPlan(segments, { base: 10, last: 12 }, 62 * MIN, 51 * MIN), { kind: "reuse" });
  check("back far from the head", seekPlan(segments, { base: 10, last: 15 }, 78 * MIN, 71 * MIN), { kind: "rebuild", at: 14 });
  check("forward beyond the window", seekPlan(segments, { base: 10, last: 12 }, 62 * MIN, 66 * MIN), { kind: "rebuild", at: 13 });

  // Loading ahead while playing: the next segment once the playhead is AHEAD segments from the window's end.
  check("ahead of the playhead", nextLoad(segments, { base: 10, last: 10 }, 51 * MIN), { kind: "append", index: 11 });
  check("not yet", nextLoad(segments, { base: 10, last: 10 + AHEAD }, 51 * MIN), null);
  check("nothing after the end", nextLoad(segments, { base: 98, last: last }, 499 * MIN), null);
  // A full window rolls over to the next head: memory stays bounded in a session of any length.
  const full = { base: 10, last: 10 + MAX_SEGMENTS - 1 };
  check("roll over when full", nextLoad(segments, full, full.last * 5 * MIN + MIN), { kind: "roll", index: full.last + 1 });

});
