// Detectors (contract "detector" rules): mask e-mail addresses, card numbers, phone numbers and IBANs inside
// text that is otherwise shown. Each pattern is (prefix)(hit): JavaScript engines without lookbehind must
// still load the recorder, so the character before a hit is matched and put back.
import { maskText } from "./mask";

/** A pattern and an optional check of the hit (Luhn, mod 97). */
export type Detector = readonly [RegExp, ((hit: string) => boolean)?];

/** Luhn checksum over the digits of `s`. */
function luhn(s: string): boolean {
  let sum = 0;
  let odd = false;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    const d = odd ? c * 2 : c;
    sum += d > 9 ? d - 9 : d;
    odd = !odd;
  }
  return sum % 10 === 0;
}

/** IBAN check: country and check digits moved to the end, letters as 10–35, remainder 1 modulo 97. */
function mod97(s: string): boolean {
  const t = s.replace(/ /g, "").toUpperCase();
  let r = 0;
  for (const ch of t.slice(4) + t.slice(0, 4)) {
    const v = parseInt(ch, 36);
    r = (v > 9 ? r * 100 + v : r * 10 + v) % 97;
  }
  return r === 1;
}

// Order matters: card numbers and IBANs before phone numbers, which would match their digits too.
const ALL: Record<string, Detector> = {
  card: [/(^|\D)(\d(?:[ -]?\d){12,18})(?![ -]?\d)/g, luhn],
  iban: [/(^|[^a-z\d])([a-z]{2}\d\d(?: ?[a-z\d]){11,30})(?![a-z\d])/gi, mod97],
  email: [/()([\w.%+-]+@[a-z\d-]+(?:\.[a-z\d-]+)+)/gi],
  phone: [/(^|[^\w+])(\+?\(?\d(?:[ .()-]{0,3}\d){8,14})(?![ .()-]?\d)/g],
};

/** The detectors named (unknown names ignored), in their fixed order. */
export function detectors(names: readonly string[]): Detector[] {
  return Object.keys(ALL).filter((n) => names.includes(n)).map((n) => ALL[n]);
}

/** Masks every detected substring of `text`. */
export function detect(text: string, list: readonly Detector[]): string {
  // Every detector needs a digit or an @: most text skips the regular expressions.
  if (list.length === 0 || !/[\d@]/.test(text)) return text;
  for (const [re, ok] of list) {
    text = text.replace(re, (all: string, pre: string, hit: string) =>
      (!ok || ok(hit) ? pre + maskText(hit) : all));
  }
  return text;
}
