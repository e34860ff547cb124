// How the recorder reads the server's answers and spaces its retries (src/recorder/transport.ts), and the
// URL stamp of each attempt (src/recorder/queue.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BACKOFF_MAX_MS } from "../../src/recorder/config";
import { stamped } from "../../src/recorder/queue";
import { backoff, classify, parseRetryAfter } from "../../src/recorder/transport";

test("2xx is done; network errors, 408, 429 and 5xx are retried; other statuses are dropped", () => {
  assert.deepEqual(classify(202, null, 0), { kind: "ok", status: 202 });
  for (const status of [408, 429, 500, 503]) assert.equal(classify(status, null, 0).kind, "retry", String(status));
  for (const status of [400, 401, 404, 413, 422]) assert.equal(classify(status, null, 0).kind, "drop", String(status));
  assert.deepEqual(classify(429, "7", 0), { kind: "retry", status: 429, afterMs: 7_000 });
});

test("Retry-After in seconds or as a date, never negative, capped, ignored when malformed", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter(" 3 ", now), 3_000);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now), 10_000);
  assert.equal(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("99999", now), 10 * BACKOFF_MAX_MS);
  assert.equal(parseRetryAfter("soon", now), null);
  assert.equal(parseRetryAfter("", now), null);
  assert.equal(parseRetryAfter(null, now), null);
});

test("backoff doubles from one second to thirty, jittered to half of it at least", () => {
  for (const [attempts, ceiling] of [[0, 1_000], [1, 1_000], [2, 2_000], [4, 8_000], [6, 30_000], [40, 30_000]]) {
    for (let i = 0; i < 50; i++) {
      const delay = backoff(attempts);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${attempts}: ${delay}`);
    }
  }
});

test("each attempt's URL carries the time it was made", () => {
  const before = Date.now();
  const url = new URL(stamped("https://r.test/v1/web/beacons?k=KEY"));
  assert.equal(url.searchParams.get("k"), "KEY");
  assert.ok(Number(url.searchParams.get("sent_at")) >= before);
  assert.match(stamped("https://r.test/b"), /^https:\/\/r\.test\/b\?sent_at=\d+$/);
});
