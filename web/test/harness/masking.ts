// Runs the recorder's masking on a golden masking vector (tests/vectors/masking.json) in a real page: the
// page is built from the vector's full snapshot, the Recorder (rrweb with Reel's options, then scrub) records
// it, each later input event is replayed on the live DOM for rrweb to see, and the masked events the
// Recorder would send are returned. tests/e2e/test_masking_vectors_in_browser.py drives it.
import { record } from "@rrweb/record";
import type { Beacon } from "../../src/recorder/beacon";
import type { TabState } from "../../src/recorder/ids";
import type { Outbox } from "../../src/recorder/queue";
import { Recorder } from "../../src/recorder/recorder";
import { compile } from "../../src/recorder/rules";

type Obj = Record<string, any>; // rrweb's serialized nodes and event data, as the vectors hold them

const SVG = "http://www.w3.org/2000/svg";

/** A live node built from an rrweb serialized node (elements and text; what the vectors use). */
function build(n: Obj, svg = false): Node {
  if (n.type === 3) return document.createTextNode(n.textContent);
  if (n.type !== 2) throw new Error(`node type ${n.type} is not supported by the harness`);
  const inSvg = svg || n.isSVG === true;
  const el = inSvg ? document.createElementNS(SVG, n.tagName) : document.createElement(n.tagName);
  for (const [name, value] of Object.entries(n.attributes as Obj)) {
    if (name === "_cssText") el.appendChild(document.createTextNode(String(value)));
    // rrweb measures a blocked element's box: the live element gets that size.
    else if (name === "rr_width") (el as HTMLElement).style.width = String(value);
    else if (name === "rr_height") (el as HTMLElement).style.height = String(value);
    else if (value === true) el.setAttribute(name, ""); // rrweb's `checked` and `selected`
    else if (typeof value === "string") el.setAttribute(name, value);
  }
  for (const child of n.childNodes || []) {
    // rrweb lists a shadow root's children under its host, marked isShadow.
    const into = child.isShadow ? el.shadowRoot ?? el.attachShadow({ mode: "open" }) : el;
    into.appendChild(build(child, inSvg));
  }
  return el;
}

const live = (id: number): Obj => {
  const node = record.mirror.getNode(id);
  if (!node) throw new Error(`no live node ${id}`);
  return node as Obj;
};

/** Makes the DOM change that an input event records, so that rrweb records it. */
function apply(e: Obj, recorder: Pick<Recorder, "addCustom">): void {
  const d = e.data;
  if (e.type === 5) return recorder.addCustom(d.tag, d.payload);
  if (e.type !== 3) throw new Error(`event type ${e.type} is not supported after the snapshot`);
  if (d.source === 0) {
    for (const r of d.removes) live(r.id).remove();
    // rrweb lists an added subtree node by node, each under its parent's id (the parent maybe added too).
    const made = new Map<number, Node>();
    const find = (id: number): Node => made.get(id) ?? (live(id) as Node);
    for (const a of d.adds) {
      const node = build(a.node);
      made.set(a.node.id, node);
      find(a.parentId).insertBefore(node, a.nextId ? find(a.nextId) : null);
    }
    for (const t of d.texts) live(t.id).textContent = t.value;
    for (const a of d.attributes) {
      const el = live(a.id) as Element;
      for (const [name, value] of Object.entries(a.attributes as Obj)) {
        if (value === null) el.removeAttribute(name);
        else if (typeof value === "string") el.setAttribute(name, value);
        else throw new Error("style diffs are not supported by the harness: give the style attribute");
      }
    }
  } else if (d.source === 5) {
    const el = live(d.id) as HTMLInputElement;
    if (typeof d.isChecked === "boolean" && (el.type === "checkbox" || el.type === "radio")) {
      el.checked = d.isChecked;
    } else {
      el.value = d.text;
    }
    el.dispatchEvent(new Event("input", { bubbles: true }));
  } else if (d.source === 8) {
    const sheet = (live(d.id) as HTMLStyleElement).sheet as CSSStyleSheet;
    for (const a of d.adds || []) sheet.insertRule(a.rule, a.index);
  } else if (d.source === 13) {
    const sheet = (live(d.id) as HTMLStyleElement).sheet as CSSStyleSheet;
    const rule = sheet.cssRules[d.index[0]] as CSSStyleRule;
    rule.style.setProperty(d.set.property, d.set.value, d.set.priority || "");
  } else {
    throw new Error(`incremental source ${d.source} is not supported by the harness`);
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * The events the Recorder would send for `events` under `rules` (the first two: Meta, full snapshot); with
 * `raw`, what rrweb records of the same page without any masking (the vectors' inputs must be that).
 */
export async function run(rules: unknown, events: Obj[], raw = false): Promise<Obj[]> {
  const [meta, full, ...rest] = events;
  if (meta.type !== 4 || full.type !== 2) throw new Error("a vector starts with Meta and a full snapshot");
  if (location.href !== meta.data.href) throw new Error(`the page is at ${location.href}, not the vector's`);
  const html = (full.data.node.childNodes as Obj[]).find((n) => n.type === 2);
  document.replaceChild(build(html as Obj), document.documentElement);
  const bodies: string[] = [];
  const outbox = { add: (b: Beacon) => bodies.push(b.body as string) } as unknown as Outbox;
  const tab = { isIdle: () => false, touch: () => undefined, takeSeq: () => bodies.length,
    recordingId: "r", sessionId: "s" } as unknown as TabState;
  const recorder = new Recorder(tab, outbox);
  const plain: Obj[] = [];
  let stop: (() => void) | undefined;
  const policy = compile(rules);
  if (raw) {
    // rrweb's own defaults mask password values; raw means nothing masked, only blocked elements boxed.
    stop = record({ emit: (e) => void plain.push(e), slimDOMOptions: true, maskInputOptions: { password: false },
      blockSelector: policy.block || undefined });
  } else {
    recorder.start(policy);
  }
  const custom = raw ? { addCustom: (tag: string, p: unknown) => record.addCustomEvent(tag, p) } : recorder;
  for (const e of rest) {
    await tick();
    apply(e, custom);
  }
  await tick();
  if (raw) {
    stop?.();
    return JSON.parse(JSON.stringify(plain));
  }
  recorder.flush();
  recorder.stop(true);
  return bodies.flatMap((b) => JSON.parse(b).events as Obj[]);
}

(window as unknown as { reelMaskingHarness: unknown }).reelMaskingHarness = { run };
