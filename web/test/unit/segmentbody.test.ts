// A segment's body as the API serves it ({head, events}) becomes the one array the replayer is fed.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { eventWithTime } from "@rrweb/types";
import { segmentEvents } from "../../src/player/api";

const event = (timestamp: number, type: number): eventWithTime => ({ timestamp, type, data: {} }) as unknown as eventWithTime;

test("a segment's head (its keyframe) comes first, then its events; without a head, the events alone", () => {
  const head = [event(100, 4), event(100, 2)];
  const events = [event(101, 3), event(102, 3)];
  assert.deepEqual(segmentEvents({ head, events }), [...head, ...events]);
  assert.deepEqual(segmentEvents({ head: [], events }), events);
  assert.deepEqual(segmentEvents({ events }), events, "a body without the head field (head=false)");
  assert.deepEqual(head.length, 2, "the head array is not changed");
});
