// The application's rules document (docs/contracts/masking-rules.md), compiled once per page load into what
// capture needs: a preset, selectors, attribute names, the URL rule, detectors and the consent settings.
import { detect, detectors } from "./detect";
import { maskCss, maskText } from "./mask";
import type { Capture, Policy } from "./policy";

export type { Policy } from "./policy";

export const MASK_ALL = 0;
export const MASK_INPUTS = 2;
const PRESETS: Record<string, number> = { mask_all: MASK_ALL, allow_list: 1, mask_inputs: MASK_INPUTS };

/** Levels a document may name; the default reports errors and warnings. */
const LEVELS = ["log", "info", "warn", "error", "debug"];

interface Doc {
  version?: number;
  preset?: string;
  consent?: Record<string, unknown>;
  capture?: { console?: unknown; network?: unknown; slow_ms?: unknown };
  rules?: Rule[];
}

interface Rule {
  type?: unknown;
  selector?: unknown;
  names?: unknown;
  params?: unknown;
  path_segments?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === "string") : []);

/** Whether the browser accepts a selector; a bad one must not throw later inside rrweb. */
function valid(sel: string): boolean {
  try {
    return !document.createDocumentFragment().querySelector(sel);
  } catch {
    return false;
  }
}

/** True when `el`, or its shadow host or frame element, is inside an element matching `sel`. */
function within(el: Element | null, sel: string): boolean {
  for (; el; ) {
    if (el.closest(sel)) return true;
    const root = el.getRootNode() as { host?: Element; defaultView?: Window | null };
    el = root.host || (root.defaultView ? root.defaultView.frameElement : null);
  }
  return false;
}

/** Compiles a rules document; anything missing or malformed falls back to the strict defaults. */
export function compile(doc: unknown): Policy {
  const d = (doc || {}) as Doc;
  const rules = (Array.isArray(d.rules) ? d.rules : []).filter((r) => r && typeof r === "object");
  const of = (type: string): Rule[] => rules.filter((r) => r.type === type);
  const consent = d.consent || {};
  let broken = false;
  // A bad unmask selector unmasks nothing; a bad mask or block selector masks everything instead.
  const selectors = (type: string): string => of(type).map((r) => r.selector)
    .filter((s): s is string => typeof s === "string"
      && (valid(s) || ((broken ||= type !== "unmask"), false)))
    .join(",");
  const unmask = selectors("unmask");
  const mask = selectors("mask");
  const block = selectors("block");
  const urls = of("url");
  let params: Set<string> | null = new Set(urls.flatMap((r) => strings(r.params)));
  if (urls.length === 0 || params.has("*")) params = null; // Default: every query value masked.
  const res = urls.map((r) => r.path_segments).filter((s) => typeof s === "string" && s);
  let segments: RegExp | null = null;
  try {
    if (res.length > 0) segments = new RegExp(res.map((s) => `(?:${s})`).join("|"));
  } catch {
    segments = /./; // A pattern this browser cannot read: mask every path segment.
  }
  const names = of("attribute").flatMap((r) => strings(r.names)).map((n) => n.toLowerCase());
  const found = detectors(of("detector").length > 0 ? of("detector").flatMap((r) => strings(r.names))
    : ["card", "iban", "email", "phone"]);
  const cap = d.capture || {};
  const slow = Number(cap.slow_ms);
  const capture: Capture = {
    console: Array.isArray(cap.console) ? strings(cap.console).filter((l) => LEVELS.includes(l)) : ["error", "warn"],
    network: cap.network !== false,
    slowMs: slow > 0 ? slow : 3000,
  };
  const preset = broken ? MASK_ALL : PRESETS[String(d.preset)] ?? MASK_ALL;
  const shown = (el: Element | null): boolean => !!el && !broken && !(mask && within(el, mask))
    && (preset === MASK_INPUTS || (!!unmask && within(el, unmask)));
  const policy: Policy = {
    version: (d.version as number) > 0 ? Math.floor(d.version as number) : 0,
    preset,
    required: consent.required !== false,
    honorGpc: consent.honor_gpc !== false,
    block: broken ? "" : block,
    params,
    segments,
    capture,
    named: (attr) => names.some((n) => (n.endsWith("*") ? attr.startsWith(n.slice(0, -1)) : n === attr)),
    detect: (text) => detect(text, found),
    shown,
    text(text, el) {
      if (!text.trim()) return text;
      try {
        const tag = el ? el.localName : "";
        // A <style>'s text is CSS (rrweb passes it here when it changes).
        if (tag === "style") return maskCss(policy, text);
        // A textarea's text is its value: an input value, always masked.
        if (tag !== "textarea" && shown(el)) return detect(text, found);
      } catch {
        // Called inside rrweb's serialisation: must not throw; masked is the safe answer.
      }
      return maskText(text);
    },
    cssText: (text) => (preset === MASK_INPUTS ? detect(text, found) : maskText(text)),
  };
  return policy;
}
