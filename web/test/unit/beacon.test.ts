// Beacons: the envelope around serialised events, UTF-8 sizes and cutting a buffer to the keepalive
// limit (src/recorder/beacon.ts); the events Reel adds and counts as interaction (src/recorder/events.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { eventWithTime } from "@rrweb/types";
import { envelope, keepaliveSize, newBeacon, splitBySize, utf8Length } from "../../src/recorder/beacon";
import { KEEPALIVE_BODY_MAX } from "../../src/recorder/config";
import { customEvent, isInteraction } from "../../src/recorder/events";

test("the envelope is contract v1 JSON around the events as they were serialised", () => {
  const events = [JSON.stringify({ type: 4, timestamp: 1, data: { href: "https://a.test/" } }), "{\"type\":3}"];
  const body = JSON.parse(envelope("rec-1", "ses-\"2", 7, true, 3, events));
  assert.deepEqual(Object.keys(body), ["v", "recording_id", "session_id", "seq", "sent_at", "final",
    "rules_version", "events"]);
  assert.equal(body.v, 1);
  assert.equal(body.session_id, "ses-\"2");
  assert.equal(body.seq, 7);
  assert.equal(body.final, true);
  assert.equal(body.rules_version, 3);
  assert.ok(Math.abs(body.sent_at - Date.now()) < 5_000);
  assert.deepEqual(body.events, [{ type: 4, timestamp: 1, data: { href: "https://a.test/" } }, { type: 3 }]);
  assert.deepEqual(JSON.parse(envelope("r", "s", 0, false, 0, [])).events, []);
});

test("UTF-8 length is counted as the body will be sent, a lone surrogate as the replacement character", () => {
  for (const s of ["", "abc", "é", "€", "😀", "a😀é€", "\u0000"]) assert.equal(utf8Length(s), Buffer.byteLength(s), s);
  assert.equal(utf8Length("\ud800"), 3);
  assert.equal(utf8Length("\udc00x"), 4);
});

test("a buffer is cut into groups within the limit; an event too big goes alone", () => {
  const events = ["a".repeat(40), "b".repeat(40), "c".repeat(10), "d".repeat(200), "e".repeat(5)];
  // Each event costs its bytes plus a comma; the envelope's overhead counts once per group.
  const groups = splitBySize(events, 10, 100);
  assert.deepEqual(groups.map((g) => g.map((e) => e[0]).join("")), ["ab", "c", "d", "e"]);
  assert.deepEqual(splitBySize(events, 10, 120).map((g) => g.length), [3, 1, 1]);
  assert.deepEqual(splitBySize([], 10, 100), []);
  assert.deepEqual(splitBySize(events, 0, Infinity), [events]);
});

test("a beacon's keepalive size is its gzip body's, else its text's in UTF-8, past the limit infinite", () => {
  const b = newBeacon(1, "é".repeat(10));
  assert.equal(keepaliveSize(b), 20);
  b.gz = new ArrayBuffer(7);
  assert.equal(keepaliveSize(b), 7);
  assert.equal(keepaliveSize(newBeacon(2, "x".repeat(KEEPALIVE_BODY_MAX + 1))), Infinity);
  assert.equal(keepaliveSize(newBeacon(3, null)), 0);
});

test("interaction is mouse, keyboard, touch, scroll and drag; Reel's custom events look like rrweb's", () => {
  const inc = (source: number): eventWithTime => ({ type: 3, timestamp: 0, data: { source } }) as eventWithTime;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13].filter((s) => isInteraction(inc(s))), [1, 2, 3, 5, 6, 12]);
  assert.equal(isInteraction({ type: 5, timestamp: 0, data: { source: 2 } } as unknown as eventWithTime), false);
  const e = customEvent("reel.event", { name: "x" });
  assert.equal(e.type, 5);
  assert.deepEqual(e.data, { tag: "reel.event", payload: { name: "x" } });
  assert.ok(Math.abs(e.timestamp - Date.now()) < 5_000);
});
