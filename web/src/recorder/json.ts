// Writing an event's JSON in slices. A full snapshot of a large page is one object of megabytes whose
// JSON.stringify would block the page for one long task; here its node tree is written a few subtrees at a
// time (sibling subtrees of at most WHOLE nodes together in one JSON.stringify, larger ones opened node by
// node), so the writer can stop at a deadline and carry on in a later task. The text is the same JSON but
// for key order (an opened node's `childNodes` and the event's `node` last). Each node passes through a
// `prepare` hook before it is written, which is where the recorder masks a snapshot's strings; the same
// walk counts the nodes that decide the slicing (one walk of each subtree, not a count then a mask).
import type { eventWithTime } from "@rrweb/types";

type Obj = Record<string, any>; // rrweb's serialized nodes

const FULL_SNAPSHOT = 2;
/**
 * Sibling subtrees of at most this many nodes together are written by one JSON.stringify: native and fast
 * (a few hundred nodes take about a millisecond), where opening every node in script cost several times
 * the CPU.
 */
const WHOLE = 512;
/** The clock is read once this many nodes were written since it was last read (reading it costs too). */
const CLOCK_EVERY = 64;

/** The number of nodes in the subtree under `node`, counted up to `max + 1` (more are not counted). */
export function count(node: Obj, max: number): number {
  const stack: Obj[] = [node];
  let n = 0;
  while (stack.length > 0 && n <= max) {
    n++;
    const kids = stack.pop()?.childNodes;
    if (Array.isArray(kids)) for (let i = 0; i < kids.length; i++) stack.push(kids[i]);
  }
  return n;
}

interface Frame {
  readonly items: readonly Obj[];
  i: number;
  /** What closes the frame once its items are written. */
  readonly close: string;
}

/**
 * Called on each item of a full snapshot before it is written: readies the nodes of its subtree, the item
 * first, and returns how many there are like `count`, stopping once there are more than `max`. An item
 * with more is written without its children, each of which is then passed on its own: `prepare` must leave
 * a node it was given before as it left it. The recorder masks the snapshot's strings here (scrub.ts,
 * maskLater).
 */
export type Prepare = (node: Obj, max: number) => number;

/** An object's JSON without its closing brace, ready for one more key. */
function open(json: string): string {
  return json.length > 2 ? `${json.slice(0, -1)},` : "{";
}

/** One event's JSON, written by `run` until a deadline; JSON.stringify's errors surface from the calls. */
export class JsonWriter {
  private readonly out: string[] = [];
  private readonly stack: Frame[] = [];

  constructor(e: eventWithTime, private readonly prepare: Prepare = count) {
    const data = e.data as Obj;
    if (e.type !== FULL_SNAPSHOT || !data || typeof data.node !== "object") {
      this.out.push(JSON.stringify(e));
      return;
    }
    const { data: _data, ...event } = e as Obj;
    const { node, ...rest } = data;
    this.out.push(`${open(JSON.stringify(event))}"data":${open(JSON.stringify(rest))}"node":`);
    this.stack.push({ items: [node], i: 0, close: "}}" });
  }

  /** Writes until done (true) or until `deadline` (performance.now() time) has passed (false). */
  run(deadline: number): boolean {
    const { out, stack } = this;
    let written = 0;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.i >= top.items.length) {
        out.push(top.close);
        stack.pop();
        continue;
      }
      if (top.i > 0) out.push(",");
      const { items } = top;
      const item = items[top.i];
      let nodes = this.prepare(item, WHOLE);
      if (nodes > WHOLE) {
        top.i++;
        const { childNodes: kids, ...own } = item;
        out.push(`${open(JSON.stringify(own))}"childNodes":[`);
        stack.push({ items: kids, i: 0, close: "]}" });
        written++;
      } else {
        // The small siblings that follow go with it, in one JSON.stringify of at most WHOLE nodes.
        let end = top.i + 1;
        for (let n = 0; end < items.length && (n = this.prepare(items[end], WHOLE - nodes)) + nodes <= WHOLE; end++) {
          nodes += n;
        }
        out.push(end === top.i + 1 ? JSON.stringify(item) ?? "null"
          : JSON.stringify(items.slice(top.i, end)).slice(1, -1));
        top.i = end;
        written += nodes;
      }
      if (written >= CLOCK_EVERY) {
        written = 0;
        if (performance.now() > deadline) return false;
      }
    }
    return true;
  }

  /** The JSON, once `run` returned true. */
  text(): string {
    return this.out.join("");
  }
}
