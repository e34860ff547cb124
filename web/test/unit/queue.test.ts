// The outbox (src/recorder/queue.ts) against a fake fetch: beacons delivered one at a time in seq order,
// compressed where the platform can, retried as the server asks, dropped when refused, sent at once with
// keepalive within the browser's quota when the page hides.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { newBeacon } from "../../src/recorder/beacon";
import { KEEPALIVE_BODY_MAX } from "../../src/recorder/config";
import { Outbox } from "../../src/recorder/queue";

interface Sent {
  url: URL;
  body: string;
  keepalive: boolean;
}

let sent: Sent[];
/** The answers the fake server gives, in order (then 202); a function may hang or throw. */
let answers: Array<number | [number, string] | (() => Promise<Response>)>;
let inFlight = 0;
let mostInFlight = 0;
const realFetch = globalThis.fetch;
const realWarn = console.warn;
let warnings: string[];

beforeEach(() => {
  sent = [];
  answers = [];
  warnings = [];
  inFlight = mostInFlight = 0;
  console.warn = (message: string) => void warnings.push(message);
  // Node has no navigator.onLine; the browser's is true unless it knows it is offline.
  if (!("navigator" in globalThis) || !("onLine" in globalThis.navigator)) {
    Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true });
  }
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    const raw = init.body;
    const body = typeof raw === "string" ? raw : gunzipSync(Buffer.from(raw as ArrayBuffer)).toString();
    sent.push({ url: new URL(url), body, keepalive: init.keepalive === true });
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const answer = answers.shift() ?? 202;
      if (typeof answer === "function") {
        // As fetch does, an abort ends the request.
        const aborted = new Promise<Response>((_, reject) => init.signal?.addEventListener("abort",
          () => reject(new DOMException("aborted", "AbortError"))));
        return await Promise.race([answer(), aborted]);
      }
      const [status, retryAfter] = Array.isArray(answer) ? answer : [answer, ""];
      return new Response(null, { status, headers: retryAfter ? { "Retry-After": retryAfter } : {} });
    } finally {
      inFlight--;
    }
  }) as typeof fetch;
});

afterEach(() => {
  globalThis.fetch = realFetch;
  console.warn = realWarn;
});

const URL_PLAIN = "https://r.test/v1/web/beacons?k=KEY";
const URL_GZIP = "https://r.test/v1/web/beacons?k=KEY&ce=gzip";

test("beacons are delivered one at a time, in seq order, gzipped", async () => {
  const outbox = new Outbox(URL_PLAIN, URL_GZIP);
  for (const seq of [0, 1, 2]) outbox.add(newBeacon(seq, `{"seq":${seq}}`), true);
  await outbox.whenSettled();
  assert.deepEqual(sent.map((s) => s.body), ['{"seq":0}', '{"seq":1}', '{"seq":2}']);
  assert.ok(sent.every((s) => s.url.searchParams.get("ce") === "gzip" && s.url.searchParams.has("sent_at")));
  assert.equal(mostInFlight, 1);
  assert.equal(outbox.size, 0);
});

test("a refused beacon is dropped with one warning, and the next ones still go", async () => {
  answers = [413, 400];
  const outbox = new Outbox(URL_PLAIN, URL_GZIP);
  for (const seq of [0, 1, 2]) outbox.add(newBeacon(seq, `{"seq":${seq}}`), true);
  await outbox.whenSettled();
  assert.deepEqual(sent.map((s) => s.body), ['{"seq":0}', '{"seq":1}', '{"seq":2}']);
  assert.deepEqual(warnings, ["reel: beacon 0 dropped (HTTP 413); later drops are not logged"]);
});

test("a beacon is retried when the server is busy, after the delay it asks for", async () => {
  answers = [[503, "0"], [429, "0"]];
  const outbox = new Outbox(URL_PLAIN, URL_GZIP);
  const beacon = newBeacon(4, '{"seq":4}');
  outbox.add(beacon, true);
  await outbox.whenSettled();
  assert.equal(sent.length, 3);
  assert.equal(beacon.attempts, 2);
  assert.deepEqual(warnings, []);
});

test("when the page hides, every beacon goes at once with keepalive within the quota", async () => {
  const outbox = new Outbox(URL_PLAIN, URL_GZIP);
  const small = "x".repeat(30_000);
  for (const seq of [0, 1, 2]) outbox.add(newBeacon(seq, small), false);
  outbox.add(newBeacon(3, "y".repeat(KEEPALIVE_BODY_MAX + 10)), false);
  const risky = outbox.sendNow(true);
  // Two 30 kB bodies fit Chromium's 64 KiB of keepalive in flight; the rest go by ordinary fetch.
  assert.deepEqual(sent.map((s) => s.keepalive), [true, true, false, false]);
  assert.ok(sent.every((s) => s.url.searchParams.get("ce") === null));
  assert.deepEqual(risky.map((b) => b.seq), [2, 3]);
  assert.equal(mostInFlight, 4);
  await outbox.whenSettled();
});

test("clearing the outbox (consent withdrawn) aborts what is in flight and drops the rest", async () => {
  answers = [() => new Promise<Response>(() => undefined)];
  const outbox = new Outbox(URL_PLAIN, URL_GZIP);
  const beacons = [newBeacon(0, "a"), newBeacon(1, "b")];
  for (const b of beacons) outbox.add(b, true);
  for (let i = 0; i < 200 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(sent.length, 1); // the second waits for the first
  const aborted = beacons[0].inflight?.signal;
  outbox.clear();
  assert.equal(aborted?.aborted, true);
  assert.equal(outbox.size, 0);
  await Promise.all(beacons.map((b) => b.settled));
  assert.equal(sent.length, 1);
});
