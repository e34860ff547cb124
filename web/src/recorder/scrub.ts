// Capture-time masking of what rrweb's own options miss (docs/contracts/masking-rules.md): attributes, URLs,
// CSS `content:` strings and url()s, images, `srcdoc`, text directly inside shadow roots, checkbox values,
// and Reel's own custom events. Runs on every event before it is buffered and masks it in place; the
// caller drops an event that fails here, so an unexpected shape costs that event, never a leak.
import { record } from "@rrweb/record";
import type { eventWithTime } from "@rrweb/types";
import { maskCss, maskSrcset, maskText, maskUrl } from "./mask";
import { MASK_ALL, MASK_INPUTS, type Policy } from "./rules";

type Obj = Record<string, any>; // rrweb event data of many shapes (see the note at the top)

/** The default attribute list (`content` counts on <meta> only, and every `data-*` too). */
const DEFAULT_ATTRS = "title alt placeholder aria-label aria-description value label".split(" ");
const URL_ATTRS = "href src action formaction poster background rr_src xlink:href cite data".split(" ");
/** Where an image lives: under mask_all an image keeps only its size (a placeholder at replay). */
const IMAGE_ATTRS = "src srcset href xlink:href poster".split(" ");
const IMAGE_TAGS = "img image source video".split(" ");
/** Elements whose `value` is an input value. */
const FIELD_TAGS = ["input", "select", "textarea"];

/** Inputs that were password fields when we saw them: a field toggled to type=text stays masked. */
const everPassword = new WeakSet<Element>();

const nodeOf = (id: number): Element | null => record.mirror.getNode(id) as Element | null;

/** Password (now or ever) and hidden inputs: all their attributes are masked under every preset. */
function secret(a: Obj, el: HTMLInputElement | null): boolean {
  const type = el ? el.type : String(a.type).toLowerCase();
  // rrweb marks a field it saw leave type=password with data-rr-is-password.
  if (el && (type === "password" || el.hasAttribute("data-rr-is-password"))) everPassword.add(el);
  return type === "password" || type === "hidden" || (!!el && everPassword.has(el));
}

/** Masks one element's attributes; `full` for a whole element (snapshot or added node), not a change. */
function scrubAttrs(p: Policy, tag: string, a: Obj, el: Element | null, full: boolean): void {
  const hide = tag === "input" && secret(a, el as HTMLInputElement | null);
  const meta = tag === "meta";
  let shown: boolean | undefined; // Computed once, and only when needed: matching selectors costs.
  const isShown = (): boolean => (shown ??= !hide && p.shown(el));
  for (const name of Object.keys(a)) {
    const v = a[name];
    if (name === "srcdoc") delete a[name]; // The frame's document is recorded, and masked, as a document.
    else if (name === "style" && v && typeof v === "object") scrubStyle(p, v);
    else if (typeof v !== "string" || !v) continue; // Removed (null) or empty.
    else if (URL_ATTRS.includes(name)) a[name] = maskUrl(p, v);
    else if (name === "srcset") a[name] = maskSrcset(p, v);
    else if (name === "style" || name === "_cssText") a[name] = maskCss(p, v);
    else if (p.named(name)) a[name] = maskText(v);
    else if (DEFAULT_ATTRS.includes(name) || name.startsWith("data-") || (name === "content" && meta)) {
      // A field's value is an input value, masked inside unmask too: rrweb leaves a checkbox's or a radio's
      // `value` attribute as it is.
      const always = (name === "value" && FIELD_TAGS.includes(tag))
        || (p.preset === MASK_INPUTS && (name === "value" || name === "placeholder"));
      a[name] = always || !isShown() ? maskText(v) : p.detect(v);
    }
  }
  if (p.preset === MASK_ALL && IMAGE_TAGS.includes(tag) && !isShown()) {
    for (const name of IMAGE_ATTRS) delete a[name];
    if (full && tag === "img" && el) {
      const r = el.getBoundingClientRect();
      a.rr_width = `${r.width}px`;
      a.rr_height = `${r.height}px`;
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

/** Masks a serialized subtree (full snapshot, added node, attached iframe document). */
function scrubTree(p: Policy, root: Obj, parent: Element | null): void {
  // An explicit stack: a deeply nested page must not overflow the call stack here.
  const stack: [Obj, Element | null][] = [[root, parent]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [n, up] = item;
    const t = n.textContent;
    if (n.type === 3) { // Text
      if (!t || !up) continue;
      if (up.localName === "style") n.textContent = maskCss(p, t); // rrweb keeps style text as it is
      // A shadow root's own text: rrweb masks it without knowing its host (the element is null), so it is
      // done again from the live node, whose host decides.
      else if (n.isShadow) n.textContent = p.text((nodeOf(n.id) || n).textContent || "", up);
    } else {
      const el = n.type === 2 ? nodeOf(n.id) : null;
      if (n.type === 2) scrubAttrs(p, n.tagName, n.attributes, el, true); // Element (el null: all masked)
      // rrweb sends a blocked element as its box but drops the mark that says so; replay sends it marked.
      if (el && p.block && el.matches(p.block)) n.needBlock = true;
      for (const c of n.childNodes || []) stack.push([c, el]);
    }
  }
}

/** Masks the CSS rule texts of a style sheet change (inserted rules, adopted sheets). */
function scrubRules(p: Policy, rules: Obj[] | undefined): void {
  for (const r of rules || []) r.rule = maskCss(p, r.rule);
}

function scrubIncremental(p: Policy, d: Obj): void {
  const s = d.source;
  if (s === 0) { // Mutation
    for (const add of d.adds) scrubTree(p, add.node, nodeOf(add.parentId));
    for (const t of d.texts) {
      // Text directly inside a shadow root: rrweb did not mask it (its parentElement is null).
      const n = nodeOf(t.id) as Node | null;
      const host = n && !n.parentElement ? (n.parentNode as ShadowRoot | null)?.host : null;
      if (host && t.value) t.value = p.text(t.value, host);
    }
    for (const a of d.attributes) {
      const el = nodeOf(a.id);
      scrubAttrs(p, el ? el.localName : "", a.attributes, el, false);
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

/** Masks Reel's custom events: navigation URLs and error or console messages (stacks dropped). */
function scrubCustom(p: Policy, d: Obj): void {
  const b = d.payload;
  if (d.tag === "reel.navigation") b.href = maskUrl(p, b.href);
  if (d.tag !== "reel.error") return;
  if (b.source) b.source = maskUrl(p, b.source);
  if (p.preset === MASK_INPUTS) {
    b.message = p.detect(b.message);
    if (b.stack) b.stack = p.detect(b.stack);
  } else {
    // Masked but for a leading `SomethingError:`, which says what went wrong without saying about whom.
    const name = /^(?:[A-Z][\w$]*)?Error: ?/.exec(b.message);
    b.message = name ? name[0] + maskText(b.message.slice(name[0].length)) : maskText(b.message);
    delete b.stack;
  }
}

/** Masks an event in place; false if that failed, and the event must then be dropped, never sent as is. */
export function scrub(p: Policy, e: eventWithTime): boolean {
  try {
    const d = e.data as Obj;
    if (e.type === 2) scrubTree(p, d.node, null); // FullSnapshot
    else if (e.type === 3) scrubIncremental(p, d);
    else if (e.type === 4) d.href = maskUrl(p, d.href); // Meta
    else if (e.type === 5) scrubCustom(p, d);
    return true;
  } catch {
    return false;
  }
}
