// The player's formatting of times, durations, counts and URLs (src/player/format.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { beaconRange, completeness, formatClock, formatDuration, plural, shortUrl } from "../../src/player/format";

test("a playhead reads m:ss under an hour and h:mm:ss beyond, floored, never negative", () => {
  assert.equal(formatClock(0), "00:00");
  assert.equal(formatClock(59_999), "00:59");
  assert.equal(formatClock(61_000), "01:01");
  assert.equal(formatClock(3_599_999), "59:59");
  assert.equal(formatClock(3_600_000), "1:00:00");
  assert.equal(formatClock(36_061_000), "10:01:01");
  assert.equal(formatClock(-5_000), "00:00");
});

test("a duration reads in seconds, then minutes and seconds, then hours and minutes", () => {
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(45_999), "45 s");
  assert.equal(formatDuration(60_000), "1 min");
  assert.equal(formatDuration(200_000), "3 min 20 s");
  assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000 + 59_000), "2 h 05 min");
  assert.equal(formatDuration(-1), "0 s");
  // The list's duration and the player's total time agree: both floor.
  assert.equal(formatDuration(119_999), "1 min 59 s");
  assert.equal(formatClock(119_999), "01:59");
});

test("counts are pluralised and completeness and beacon ranges are worded", () => {
  assert.equal(plural(1, "beacon"), "1 beacon");
  assert.equal(plural(2, "beacon"), "2 beacons");
  assert.equal(plural(0, "match", "matches"), "0 matches");
  assert.equal(completeness(0), "complete");
  assert.equal(completeness(3), "3 beacons missing");
  assert.equal(completeness(1), "1 beacon missing");
  assert.equal(beaconRange(8, 8), "beacon 8");
  assert.equal(beaconRange(8, 11), "beacons 8–11");
});

test("a URL is shown without its scheme; nothing and invalid URLs are shown as such", () => {
  assert.equal(shortUrl("https://shop.test:8443/cart?id=***#top"), "shop.test:8443/cart?id=***#top");
  assert.equal(shortUrl("http://a.test"), "a.test/");
  assert.equal(shortUrl(""), "—");
  assert.equal(shortUrl(null), "—");
  assert.equal(shortUrl(undefined), "—");
  assert.equal(shortUrl("not a url"), "not a url");
});
