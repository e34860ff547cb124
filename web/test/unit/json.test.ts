// Writing an event's JSON in slices (src/recorder/json.ts): whatever the slicing, the text parses back to the
// event it was written from.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { eventWithTime } from "@rrweb/types";
import { JsonWriter } from "../../src/recorder/json";

type Node = { id: number; type: number; tagName?: string; textContent?: string; childNodes?: Node[] };

let ids = 0;
const text = (s: string): Node => ({ id: ++ids, type: 3, textContent: s });
const el = (tag: string, kids: Node[] = []): Node => ({ id: ++ids, type: 2, tagName: tag, childNodes: kids });

/** A page like P4's: a list of many small rows, a deep chain, a wide element and an empty one. */
function page(): Node {
  const rows = Array.from({ length: 600 }, (_, i) => el("div", [el("span", [text(`${i}`)]), el("a", [text("é \"q\"")])]));
  let chain = el("b", [text("deep")]);
  for (let i = 0; i < 400; i++) chain = el("i", [chain]);
  const wide = el("ul", Array.from({ length: 700 }, (_, i) => text(`t${i}`)));
  return { id: ++ids, type: 0, childNodes: [el("html", [el("body", [el("div", rows), chain, wide, el("p")])])] };
}

/** Writes the event with the given deadline, counting the slices it took. */
function write(e: eventWithTime, deadline: number): { json: string; slices: number } {
  const w = new JsonWriter(e);
  let slices = 1;
  while (!w.run(deadline)) slices++;
  return { json: w.text(), slices };
}

test("a full snapshot written in slices parses back to the snapshot, however many slices it took", () => {
  const e = { type: 2, timestamp: 5, data: { node: page(), initialOffset: { top: 0, left: 0 } } } as eventWithTime;
  const whole = write(e, Infinity);
  assert.equal(whole.slices, 1);
  assert.deepEqual(JSON.parse(whole.json), e);
  // A deadline already past: the writer stops at every clock reading and still writes the same JSON.
  const sliced = write(e, -Infinity);
  assert.ok(sliced.slices > 5, `${sliced.slices} slices`);
  assert.equal(sliced.json, whole.json);
});

test("other events are written whole at once", () => {
  const e = { type: 3, timestamp: 1, data: { source: 0, texts: [{ id: 1, value: "x" }] } } as eventWithTime;
  assert.deepEqual(write(e, -Infinity), { json: JSON.stringify(e), slices: 1 });
});

test("every node of a snapshot passes through prepare before it is written, counted as count counts", () => {
  const e = { type: 2, timestamp: 5, data: { node: page(), initialOffset: { top: 0, left: 0 } } } as eventWithTime;
  const all = new Set<number>();
  const walk = (n: Node): void => {
    all.add(n.id);
    for (const c of n.childNodes || []) walk(c);
  };
  walk((e.data as { node: Node }).node);
  const seen = new Set<number>();
  // Marks the nodes of the subtree it is given the way masking would, stopping once it counted more than max.
  const prepare = (node: Node, max: number): number => {
    const stack = [node];
    let nodes = 0;
    for (let n = stack.pop(); n; n = stack.pop()) {
      seen.add(n.id);
      if (n.type === 3) n.textContent = "masked";
      if (++nodes > max) return nodes;
      for (const c of n.childNodes || []) stack.push(c);
    }
    return nodes;
  };
  const w = new JsonWriter(e, prepare as never);
  while (!w.run(-Infinity));
  assert.deepEqual([...seen].sort((a, b) => a - b), [...all].sort((a, b) => a - b));
  const texts: string[] = [];
  const collect = (n: Node): void => {
    if (n.type === 3) texts.push(n.textContent as string);
    for (const c of n.childNodes || []) collect(c);
  };
  collect((JSON.parse(w.text()) as { data: { node: Node } }).data.node);
  assert.ok(texts.length > 1000 && texts.every((t) => t === "masked"), "every text written after prepare changed it");
});
