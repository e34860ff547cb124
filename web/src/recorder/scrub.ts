// Capture-time masking of what rrweb's own options miss (docs/contracts/masking-rules.md): attributes, URLs,
// CSS `content:` strings and url()s, images, `srcdoc`, text directly inside shadow roots, checkbox values,
// and Reel's own custom events. Runs on every event before it is buffered and masks it in place; the
// caller drops an event that fails here, so an unexpected shape costs that event, never a leak.
import { record } from "@rrweb/record";
import type { eventWithTime } from "@rrweb/types";
import { maskCss, maskSrcset, maskText, maskUrl } from "./mask";
import { MASK_ALL, MASK_INPUTS, type Policy } from "./rules";
import { CUSTOM, ELEMENT_NODE, FULL_SNAPSHOT, INCREMENTAL, META, TEXT_NODE } from "./rrweb";

type Obj = Record<string, any>; // rrweb event data of many shapes (see the note at the top)

/** The default attribute list (`content` counts on <meta> only, and every `data-*` too). */
const DEFAULT_ATTRS = new Set("title alt placeholder aria-label aria-description value label".split(" "));
const URL_ATTRS = new Set("href src action formaction poster background rr_src xlink:href cite data".split(" "));
/** Where an image lives: under mask_all an image keeps only its size (a placeholder at replay). */
const IMAGE_ATTRS = "src srcset href xlink:href poster".split(" ");
const IMAGE_TAGS = "img image source video".split(" ");
/** Elements whose `value` is an input value. */
const FIELD_TAGS = ["input", "select", "textarea"];

// A <meta> content made only of viewport settings (src/reel/replay/masking/policy.py reads it alike).
const SP = "[ \\t\\n\\r\\f\\v]*"; // ASCII whitespace, as Python's \s under re.ASCII
const SETTING = `${SP}(?:width|height|initial-scale|minimum-scale|maximum-scale|user-scalable|viewport-fit`
  + `|interactive-widget|shrink-to-fit)${SP}=${SP}(?:device-width|device-height|yes|no|auto|cover|contain`
  + `|resizes-visual|resizes-content|overlays-content|[0-9]{1,5}(?:\\.[0-9]{1,3})?)${SP}`;
const VIEWPORT = new RegExp(`^${SETTING}(?:[,;]${SETTING})*[,;]?${SP}$`, "i");

/** Inputs that were password fields when we saw them: a field toggled to type=text stays masked. */
const everPassword = new WeakSet<Element>();

const nodeOf = (id: number): Element | null => record.mirror.getNode(id) as Element | null;

/** Password (now or ever) and hidden inputs: all their attributes are masked under every preset. */
function secret(a: Obj, el: Element | null): boolean {
  const input = el as HTMLInputElement | null;
  const type = input ? input.type : String(a.type).toLowerCase();
  // rrweb marks a field it saw leave type=password with data-rr-is-password.
  if (input && (type === "password" || input.hasAttribute("data-rr-is-password"))) everPassword.add(input);
  return type === "password" || type === "hidden" || (!!input && everPassword.has(input));
}

/** Whether masking these attributes asks if the element is shown: some are masked unless shown; images. */
function asks(p: Policy, tag: string, a: Obj): boolean {
  if (tag === "meta" || (p.preset === MASK_ALL && IMAGE_TAGS.includes(tag))) return true;
  for (const name in a) if (DEFAULT_ATTRS.has(name) || name.startsWith("data-")) return true;
  return false;
}

/**
 * What masking an element's attributes needs of the live element, decided now: whether its content is shown
 * (false for password and hidden inputs), and under mask_all an image's place (its URLs and alt dropped, a
 * whole image's box measured). `full` for a whole element (snapshot or added node), not a change.
 */
function decide(p: Policy, tag: string, a: Obj, el: Element | null, full: boolean, ask = asks(p, tag, a)): boolean {
  const hide = tag === "input" && secret(a, el); // always asked: it remembers password fields
  // Only when asked: matching selectors costs.
  const shown = !hide && ask && p.shown(el);
  if (p.preset === MASK_ALL && IMAGE_TAGS.includes(tag) && !shown) {
    for (const name of IMAGE_ATTRS) delete a[name];
    // Empty, not masked: masked text shows as a broken image's caption; kept, `[alt]` still matches.
    if (typeof a.alt === "string") a.alt = "";
    if (full && tag === "img" && el) {
      const r = el.getBoundingClientRect();
      a.rr_width = `${r.width}px`;
      a.rr_height = `${r.height}px`;
    }
  }
  return shown;
}

/** Masks one element's attributes, the element's content shown or not (`decide`): only strings, no DOM. */
function maskAttrs(p: Policy, tag: string, a: Obj, shown: boolean): void {
  const meta = tag === "meta";
  for (const name of Object.keys(a)) {
    const v = a[name];
    if (name === "srcdoc") delete a[name]; // The frame's document is recorded, and masked, as a document.
    else if (name === "style" && v && typeof v === "object") scrubStyle(p, v);
    else if (typeof v !== "string" || !v) continue; // Removed (null) or empty.
    else if (URL_ATTRS.has(name)) a[name] = maskUrl(p, v);
    else if (name === "srcset") a[name] = maskSrcset(p, v);
    else if (name === "style" || name === "_cssText") a[name] = maskCss(p, v);
    else if (p.named(name)) a[name] = maskText(v);
    else if (meta && name === "content" && v.length <= 300 && VIEWPORT.test(v)) continue; // layout, not data
    else if (DEFAULT_ATTRS.has(name) || name.startsWith("data-") || (name === "content" && meta)) {
      // A field's value is an input value, masked inside unmask too: rrweb leaves a checkbox's or a radio's
      // `value` attribute as it is.
      const always = (name === "value" && FIELD_TAGS.includes(tag))
        || (p.preset === MASK_INPUTS && (name === "value" || name === "placeholder"));
      a[name] = always || !shown ? maskText(v) : p.detect(v);
    }
  }
}

/** A style attribute change as rrweb diffs it: property → value, [value, priority] or false. */
function scrubStyle(p: Policy, diff: Obj): void {
  for (const prop of Object.keys(diff)) {
    const v = diff[prop];
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value !== "string") continue;
    const masked = maskCss(p, value, prop);
    if (Array.isArray(v)) v[0] = masked;
    else diff[prop] = masked;
  }
}

/** Where a full snapshot's element keeps what `scrub` decided of it until `maskLater` (JSON leaves it out). */
const SHOWN = Symbol("shown");
type Marked = { [SHOWN]?: boolean | typeof DONE };

/**
 * Masks a serialized subtree (added node, attached iframe document); with `later`, a full snapshot's: what
 * needs the live DOM is done now (elements' decisions, blocked boxes, shadow-root text), and the strings of
 * each element are masked by `maskLater` as the snapshot is serialised.
 */
function scrubTree(p: Policy, root: Obj, parent: Element | null, later: boolean): void {
  // An explicit stack: a deeply nested page must not overflow the call stack here. Nodes and the live
  // element their text belongs to (for a style's or a shadow root's text, else null) on two stacks: a pair
  // per node cost a large snapshot's walk an allocation per node.
  const stack: Obj[] = [root];
  const ups: (Element | null)[] = [parent];
  for (let n = stack.pop(); n; n = stack.pop()) {
    const up = ups.pop() ?? null;
    if (n.type === TEXT_NODE) {
      const t = n.textContent;
      if (!t || !up) continue;
      if (up.localName === "style") {
        if (!later) n.textContent = maskCss(p, t); // rrweb keeps style text as it is (later: maskLater)
      // A shadow root's own text: rrweb masks it without knowing its host (the element is null), so it is
      // done again from the live node, whose host decides.
      } else if (n.isShadow) n.textContent = p.text((nodeOf(n.id) || n).textContent || "", up);
      continue;
    }
    const tag: string = n.type === ELEMENT_NODE ? n.tagName : "";
    const kids: Obj[] = n.childNodes || [];
    // Other text rrweb masked already (maskTextFn): only a style's and a shadow root's are looked at.
    // rrweb marks a shadow root's children isShadow, and their host isShadowHost.
    let texts = false;
    if (tag === "style" || n.isShadowHost) {
      for (const c of kids) if (c.type === TEXT_NODE && (tag === "style" || c.isShadow)) texts = true;
    }
    // The live element, only where something asks for it (most elements need none).
    const ask = !!tag && asks(p, tag, n.attributes);
    const el = tag && (ask || tag === "input" || p.block || texts)
      ? nodeOf(n.id) : null; // null where it asks: all masked
    if (tag) {
      const shown = decide(p, tag, n.attributes, el, true, ask);
      if (later) (n as Marked)[SHOWN] = shown;
      else maskAttrs(p, tag, n.attributes, shown);
    }
    // rrweb sends a blocked element as its box but drops the mark that says so; replay sends it marked.
    if (el && p.block && el.matches(p.block)) n.needBlock = true;
    for (const c of kids) {
      if (c.type !== TEXT_NODE) {
        stack.push(c);
        ups.push(null);
      } else if (texts && (tag === "style" || c.isShadow)) {
        stack.push(c);
        ups.push(el);
      }
    }
  }
}

/** What `maskLater` leaves on an element whose strings it masked, so a node given twice is masked once. */
const DONE = 0;

/**
 * Masks the strings of a full snapshot's subtree under `node` with what `scrub` decided, `node` first, and
 * counts its nodes, stopping once there are more than `max` (JsonWriter's `prepare`: the rest is given again,
 * node by node; what was masked is left as it is). A <style>'s text is masked with its element. Throws on an
 * element `scrub` did not see, so the snapshot is dropped rather than any part of it sent unmasked.
 */
export function maskLater(p: Policy, node: Obj, max: number): number {
  const stack: Obj[] = [node];
  let nodes = 0;
  for (let n = stack.pop(); n; n = stack.pop()) {
    nodes++;
    const kids: Obj[] | undefined = n.childNodes;
    if (n.type === ELEMENT_NODE) {
      const shown = (n as Marked)[SHOWN];
      if (shown !== DONE) {
        if (typeof shown !== "boolean") throw 0; // not scrubbed: the snapshot is dropped
        const tag: string = n.tagName;
        maskAttrs(p, tag, n.attributes, shown);
        if (tag === "style") {
          for (const c of kids || []) {
            if (c.type === TEXT_NODE && c.textContent) c.textContent = maskCss(p, c.textContent);
          }
        }
        (n as Marked)[SHOWN] = DONE;
      }
    }
    if (nodes > max) return nodes;
    if (!kids) continue;
    for (let i = 0; i < kids.length; i++) {
      const c = kids[i];
      if (c.type === TEXT_NODE) nodes++;
      else stack.push(c);
    }
  }
  return nodes;
}

/** Masks the CSS rule texts of a style sheet change (inserted rules, adopted sheets). */
function scrubRules(p: Policy, rules: Obj[] | undefined): void {
  for (const r of rules || []) r.rule = maskCss(p, r.rule);
}

function scrubIncremental(p: Policy, d: Obj): void {
  const s = d.source;
  if (s === 0) { // Mutation
    for (const add of d.adds) scrubTree(p, add.node, nodeOf(add.parentId), false);
    for (const t of d.texts) {
      // Text directly inside a shadow root: rrweb did not mask it (its parentElement is null).
      const n = nodeOf(t.id) as Node | null;
      const host = n && !n.parentElement ? (n.parentNode as ShadowRoot | null)?.host : null;
      if (host && t.value) t.value = p.text(t.value, host);
    }
    for (const a of d.attributes) {
      const el = nodeOf(a.id);
      const tag = el ? el.localName : "";
      maskAttrs(p, tag, a.attributes, decide(p, tag, a.attributes, el, false));
    }
  } else if (s === 5) { // Input: values always masked (rrweb leaves checkbox and radio values as they are)
    d.text = maskText(String(d.text));
  } else if (s === 8) { // StyleSheetRule
    scrubRules(p, d.adds);
    for (const k of ["replace", "replaceSync"]) if (d[k]) d[k] = maskCss(p, d[k]);
  } else if (s === 13 && d.set) { // StyleDeclaration
    const diff = { [d.set.property]: d.set.value };
    scrubStyle(p, diff);
    d.set.value = diff[d.set.property];
  } else if (s === 15) { // AdoptedStyleSheet
    for (const sheet of d.styles || []) scrubRules(p, sheet.rules);
  }
}

/** A console or error message: masked but for a leading `SomethingError:`; detectors only under mask_inputs. */
function message(p: Policy, text: unknown): string {
  const m = String(text ?? "");
  if (p.preset === MASK_INPUTS) return p.detect(m);
  // The error's name says what went wrong without saying about whom.
  const name = /^(?:[A-Z][\w$]*)?Error: ?/.exec(m);
  return name ? name[0] + maskText(m.slice(name[0].length)) : maskText(m);
}

/**
 * Masks Reel's custom events in place (their payloads are the recorder's own, of known shape): navigation
 * URLs; error and console messages, their source and stack frame files (function names through the
 * detectors); request URLs.
 */
function scrubCustom(p: Policy, d: Obj): void {
  const b = d.payload;
  if (d.tag === "reel.navigation") b.href = maskUrl(p, b.href);
  if (!/^reel\.(error|console|network)$/.test(d.tag)) return;
  if (d.tag !== "reel.network") b.message = message(p, b.message);
  // A stack's text (the recorder sends frames instead): detectors where text is shown, else left out.
  if (b.stack) {
    if (p.preset === MASK_INPUTS) b.stack = p.detect(b.stack);
    else delete b.stack;
  }
  for (const k of ["source", "url"]) if (b[k]) b[k] = maskUrl(p, b[k]);
  for (const f of b.frames || []) {
    if (f.fn) f.fn = p.detect(f.fn);
    if (f.file) f.file = maskUrl(p, f.file);
  }
}

/**
 * Masks an event in place; false if that failed, and the event must then be dropped, never sent as is. With
 * `later`, a full snapshot is only prepared: `maskLater` masks its strings as it is serialised.
 */
export function scrub(p: Policy, e: eventWithTime, later = false): boolean {
  try {
    const d = e.data as Obj;
    if (e.type === FULL_SNAPSHOT) scrubTree(p, d.node, null, later);
    else if (e.type === INCREMENTAL) scrubIncremental(p, d);
    else if (e.type === META) d.href = maskUrl(p, d.href);
    else if (e.type === CUSTOM) scrubCustom(p, d);
    return true;
  } catch {
    return false;
  }
}
