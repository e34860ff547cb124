// How masked content is written (docs/contracts/masking-rules.md): text becomes stars whose count is the
// length rounded up to a power of two, because same-length masks leak (brief §6); URL parts become `***`;
// CSS `content:` strings are masked like text.
import type { Policy } from "./rules";

const GROUP = 8;
const MAX_BUCKET = 2048;
/** Text made only of stars and whitespace was masked already: left alone, so masking is idempotent. */
const MASKED = /^[\s*]*$/;

/** Rounds a length up to a power of two (at least 4, at most MAX_BUCKET). */
function bucket(length: number): number {
  let b = 4;
  while (b < length && b < MAX_BUCKET) b *= 2;
  return b;
}

/** `n` stars with a space after every eight, so masked paragraphs still wrap in the replay. */
function stars(n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += (i > 0 && i % GROUP === 0 ? " *" : "*");
  return out;
}

const cache = new Map<number, string>();

/** Masks text, keeping leading and trailing whitespace (layout) but not the exact length. */
export function maskText(text: string): string {
  if (MASKED.test(text)) return text;
  const core = text.trim();
  const lead = text.length - text.trimStart().length;
  const size = bucket(core.length);
  let masked = cache.get(size);
  if (masked === undefined) cache.set(size, (masked = stars(size)));
  return text.slice(0, lead) + masked + text.slice(lead + core.length);
}

// A URL's parts: scheme, authority, path, query; the fragment is dropped (it often carries tokens).
const URL_PARTS = /^([a-z][\w+.-]*:)?(\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?/i;
const ELEMENT_REF = /^#[A-Za-z][\w:.-]{0,63}$/;

/**
 * Applies the URL rule: query values (all, or the listed parameters) and matching path segments; detectors
 * also mask any segment or value they find something in (an e-mail address in a path).
 */
export function maskUrl(p: Policy, url: string): string {
  // A reference to an element of this document (`<use href="#icon">`) names an id, not data; tokens in
  // fragments (`#access_token=…`) never look like one, so they are still dropped.
  if (ELEMENT_REF.test(url) && p.detect(url.slice(1)) === url.slice(1)) return url;
  const [, scheme = "", authority = "", path, query = ""] = URL_PARTS.exec(url) as string[];
  const s = scheme.toLowerCase();
  // Data and blob URLs are content the page made, not addresses; other schemes (mailto:, tel:) are opaque.
  if (s === "data:" || s === "blob:") return url;
  if (s && !authority && s !== "http:" && s !== "https:") return s + "***";
  const { params, segments } = p;
  const found = (part: string): boolean => part !== "***" && p.detect(decode(part)) !== decode(part);
  return s + authority.replace(/^\/\/.*@/, "//") // user:password@ never leaves
    + path.replace(/[^/]+/g, (seg) => (segments && segments.test(seg)) || found(seg) ? "***" : seg)
    + query.replace(/([?&])([^&=]*)(=?)([^&]*)/g, (all, sep: string, name: string, eq: string, v: string) =>
      // A bare `?word` is a value without a name.
      !eq ? (name && (!params || found(name)) ? sep + "***" : all)
        : v && v !== "***" && (!params || params.has(decode(name)) || found(v)) ? sep + name + "=***" : all);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Masks each URL of a `srcset`; descriptors such as `2x` or `480w` stay. */
export function maskSrcset(p: Policy, value: string): string {
  return value.replace(/[^\s,]\S*/g, (tok) => {
    if (/^[\d.]+[wxh],?$/.test(tok)) return tok;
    const url = tok.replace(/,+$/, "");
    return maskUrl(p, url) + tok.slice(url.length);
  });
}

// `content:` declarations (not `align-content`): the value, strings included, up to `;` or `}`.
const CONTENT = /(^|[{;\s/])(content\s*:)((?:"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'|[^;}"'])*)/gi;
const STRING = /(["'])((?:(?!\1)[^\\]|\\[\s\S])*)\1/g;
const CSS_URL = /url\(\s*(["']?)([^"')]*)\1\s*\)/gi;

/** Masks the strings of a `content:` value (masked, or detectors only under mask_inputs). */
export function maskContent(p: Policy, value: string): string {
  return value.replace(STRING, (_, q: string, s: string) => q + p.cssText(s) + q);
}

/** Masks CSS text: `content:` strings, then the URL rule on every `url()`. */
export function maskCss(p: Policy, css: string): string {
  if (css.indexOf("content") >= 0) {
    css = css.replace(CONTENT, (_, pre: string, prop: string, v: string) => pre + prop + maskContent(p, v));
  }
  return cssUrls(p, css);
}

/** Applies the URL rule inside `url(...)`. */
export function cssUrls(p: Policy, css: string): string {
  if (css.indexOf("url(") < 0) return css;
  return css.replace(CSS_URL, (_, q: string, u: string) => `url(${q}${maskUrl(p, u)}${q})`);
}
