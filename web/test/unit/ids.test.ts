// The tab's recording identity (src/recorder/ids.ts): ids, seq numbers that a later page of the tab
// continues, nothing stored before recording begins, a copied tab starting over, idle sessions.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";
import { IDLE_TIMEOUT_MS } from "../../src/recorder/config";
import { newId, TabState } from "../../src/recorder/ids";

/** sessionStorage as a page of the tab sees it (shared by every TabState made in one test). */
class FakeStorage {
  data = new Map<string, string>();
  getItem(k: string): string | null {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.data.set(k, String(v));
  }
  removeItem(k: string): void {
    this.data.delete(k);
  }
}

let storage: FakeStorage;
beforeEach(() => {
  storage = new FakeStorage();
  (globalThis as unknown as { window: unknown }).window = { sessionStorage: storage };
});

test("ids are random version 4 UUIDs", () => {
  const ids = new Set(Array.from({ length: 200 }, newId));
  assert.equal(ids.size, 200);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("nothing is stored before recording begins; seqs count up and are stored as they are taken", () => {
  const tab = new TabState(1_000);
  assert.equal(tab.takeSeq(), 0);
  assert.equal(storage.data.size, 0);
  tab.begin();
  assert.equal(tab.takeSeq(), 1);
  const stored = JSON.parse(storage.getItem("reel.tab") as string);
  assert.deepEqual([stored.r, stored.s, stored.n], [tab.recordingId, tab.sessionId, 2]);
});

test("the next page of the tab continues the recording, its session and its seqs", () => {
  const first = new TabState(1_000);
  first.begin();
  first.takeSeq();
  first.takeSeq();
  first.release(); // pagehide
  const next = new TabState(2_000);
  assert.deepEqual([next.recordingId, next.sessionId, next.nextSeq], [first.recordingId, first.sessionId, 2]);
});

test("a copied tab (the first page still live) starts a recording of its own", () => {
  const first = new TabState(1_000);
  first.begin();
  first.takeSeq();
  const copy = new TabState(2_000); // sessionStorage copied with the live marker in it
  assert.notEqual(copy.recordingId, first.recordingId);
  assert.equal(copy.nextSeq, 0);
});

test("after the idle timeout the next page starts a new session of the same recording", () => {
  const first = new TabState(1_000);
  first.begin();
  first.touch(5_000);
  first.release();
  const later = new TabState(5_000 + IDLE_TIMEOUT_MS + 1_000);
  assert.equal(later.recordingId, first.recordingId);
  assert.notEqual(later.sessionId, first.sessionId);
  assert.equal(first.isIdle(5_000 + IDLE_TIMEOUT_MS), false);
  assert.equal(first.isIdle(5_001 + IDLE_TIMEOUT_MS), true);
});

test("a stored state that is not Reel's is ignored; forgetting removes it and stores nothing after", () => {
  storage.setItem("reel.tab", JSON.stringify({ r: "bad id!", s: "x", n: 3, a: 0 }));
  const tab = new TabState(1_000);
  assert.equal(tab.nextSeq, 0);
  tab.begin();
  tab.forget();
  tab.takeSeq();
  assert.equal(storage.data.size, 0);
  (globalThis as unknown as { window: unknown }).window = {}; // no sessionStorage at all: ids in memory
  assert.equal(new TabState(1).takeSeq(), 0);
});
