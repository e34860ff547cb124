// How masked content is written (docs/contracts/masking-rules.md): text becomes stars whose count is the
// length rounded up to a power of two, because same-length masks leak (brief §6); URL parts become `***`;
// CSS strings in declarations are masked like text.
import type { Policy } from "./policy";

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
  // Detectors need a digit or an @, which only a `%` escape could hide: most parts skip decoding. Without
  // an @ or a `%`, a part needs 9 characters for any of them (a phone number's 9 digits; the others more):
  // short ids (`/item/123`) skip them too.
  const found = (part: string): boolean => {
    if (part === "***" || !/[\d@%]/.test(part) || (part.length < 9 && !/[@%]/.test(part))) return false;
    const text = decode(part);
    return p.detect(text) !== text;
  };
  // Without a path rule, only a segment of 9 characters or with an @ or a `%` can be masked: most paths
  // (`/item/123`) are kept without looking at each segment.
  const keep = !segments && !/[@%]|[^/]{9}/.test(path);
  return s + authority.replace(/^\/\/.*@/, "//") // user:password@ never leaves
    + (keep ? path : path.replace(/[^/]+/g, (seg) => (segments && segments.test(seg)) || found(seg) ? "***" : seg))
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

// CSS tokens, each character looked at once, as replay reads them (src/reel/processing/masking/css.py): a
// comment, an escape, a string (cut by a newline or the end), url() and its argument, a block or
// declaration end, a whole name and the colon that makes it a property's.
const CSS_TOKEN = /\/\*[\s\S]*?(?:\*\/|$)|\\[\s\S]|(["'])((?:(?!\1)[^\\\n]|\\[\s\S])*)\1?|url\([ \t\n\r\f]*(?:"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?|[^)]*)|[{};]|(--[\w-]*|-?[A-Za-z_][\w-]*)([ \t\n\r\f]*:)?/gi;
/** Properties whose strings name fonts, grid areas, font features or a custom property's syntax. */
const KEPT = /^(font(-family|-feature-settings|-variation-settings)?|src|grid(-template(-areas)?)?|syntax)$/;

/**
 * Masks CSS text (or the value of `prop`): the strings of declarations (a custom property's too; not a
 * font's or a grid's, which name things), masked or, under mask_inputs, through the detectors; then the URL
 * rule on every `url()`. Strings outside declarations (selectors, `@import`) are the page's code: kept.
 */
export function maskCss(p: Policy, css: string, prop?: string): string {
  if (/["']/.test(css)) {
    let name = prop?.trim().toLowerCase();
    let start = true; // where a declaration may begin
    let pending: number[][] = []; // strings of the current value: masked once it ends as a declaration's
    const masked: number[][] = [];
    for (const m of css.matchAll(CSS_TOKEN)) {
      const at = m.index as number;
      if (m[1]) {
        if (name !== undefined && !KEPT.test(name)) pending.push([at + 1, at + 1 + m[2].length]);
        start = false;
      } else if (m[3]) {
        if (start && prop === undefined && m[4]) name = m[3].toLowerCase();
        start = false;
      } else if (/^[{;}]$/.test(m[0]) && prop === undefined) {
        if (m[0] !== "{") masked.push(...pending); // a "declaration" that ends in `{` was a selector
        pending = [];
        name = undefined;
        start = true;
      }
    }
    let out = "";
    let pos = 0;
    for (const [a, b] of masked.concat(pending)) {
      out += css.slice(pos, a) + p.cssText(css.slice(a, b));
      pos = b;
    }
    css = out + css.slice(pos);
  }
  return cssUrls(p, css);
}

const CSS_URL = /url\(\s*(["']?)([^"')]*)\1\s*\)/gi;

/** Applies the URL rule inside `url(...)`. */
export function cssUrls(p: Policy, css: string): string {
  if (css.indexOf("url(") < 0) return css;
  return css.replace(CSS_URL, (_, q: string, u: string) => `url(${q}${maskUrl(p, u)}${q})`);
}
