// Detectors (contract "detector" rules): mask e-mail addresses, card numbers, phone numbers and IBANs inside
// text that is otherwise shown, exactly as replay does (src/reel/processing/masking/detectors.py; the shared
// vectors in tests/vectors/detectors.json hold both to it). Each finder looks at the text once, in linear
// time, and marks what it finds; a `*` next to a would-be match blocks it, so masking twice equals masking
// once. No lookbehind: engines without it must still load the recorder.
import { maskText } from "./mask";

/** Marks (sets to 1) the characters of `text` it finds something in. */
export type Detector = (text: string, marks: Uint8Array) => void;

/** Longest text looked into, not counting `*` and spaces (what masking writes); longer is masked whole. */
const MAX_SCANNED = 65536;

/** Each match of `re` (global) in `t`, as [start, end, match]. */
const each = (re: RegExp, t: string, f: (s: number, e: number, m: string) => void): void => {
  for (const m of t.matchAll(re)) f(m.index as number, (m.index as number) + m[0].length, m[0]);
};

const ALL: Record<string, Detector> = {
  // From each @ with a domain after it, back over up to 64 local-part characters.
  email: (t, marks) => each(/@[A-Za-z\d-]+(?:\.[A-Za-z\d-]+)+/g, t, (at, e) => {
    let s = at;
    while (s > 0 && at - s < 64 && /[\w.%+-]/.test(t[s - 1])) s--;
    if (s < at) marks.fill(1, s, e);
  }),
  // Runs of 9 digits or more with up to three of ` .()-` between digits, masked whole (with a `(` and a
  // `+` before them); a run glued to a word, a `+` or a mask on the left loses its first group.
  phone: (t, marks) => each(/\d(?:[ .()-]{0,3}\d){8,}/g, t, (s, e, run) => {
    if (t[s - 1] === "(") s--;
    if (t[s - 1] === "+") s--;
    if (s > 0 && /[\w+*]/.test(t[s - 1])) {
      const rest = run.replace(/^\d+\D+/, "");
      if (rest === run || rest.replace(/\D/g, "").length < 9) return;
      s = e - rest.length;
    }
    marks.fill(1, s, e);
  }),
  // Digit groups joined by single spaces or dashes (a group a mask cut into left out); 13-19 digits at
  // group edges passing Luhn, from the left, the longest first.
  card: (t, marks) => each(/\d(?:[ -]?\d){12,}/g, t, (s, e) => {
    const groups: number[][] = [];
    each(/\d+/g, t.slice(s, e), (a, b) => groups.push([s + a, s + b]));
    if (t[s - 1] === "*") groups.shift();
    if (t[e] === "*") groups.pop();
    for (let i = 0; i < groups.length;) {
      // Luhn doubles every second digit from the right: both ways are summed as digits come, and the one
      // that fits the length is read at each group edge.
      let n = 0;
      const sums = [0, 0];
      let hit = -1;
      for (let j = i; j < groups.length && n + groups[j][1] - groups[j][0] < 20; j++) {
        for (let k = groups[j][0]; k < groups[j][1]; k++, n++) {
          const d = t.charCodeAt(k) - 48;
          sums[1 - (n % 2)] += d;
          sums[n % 2] += d > 4 ? d * 2 - 9 : d * 2;
        }
        if (n > 12 && sums[n % 2] % 10 === 0) hit = j;
      }
      if (hit < 0) i++;
      else {
        marks.fill(1, groups[i][0], groups[hit][1]);
        i = hit + 1;
      }
    }
  }),
  // Two letters and two digits not glued to a letter, digit or mask, then letters or digits (single spaces
  // between) up to 34; the longest prefix of at least 15 passing mod 97.
  iban: (t, marks) => each(/[A-Za-z]{2}\d\d/g, t, (s) => {
    if (s > 0 && /[A-Za-z\d*]/.test(t[s - 1])) return;
    const chars = (/[A-Za-z]{2}\d\d(?: ?[A-Za-z\d]){0,30}/.exec(t.slice(s, s + 70)) as RegExpExecArray)[0];
    // The remainder after one more character: digits count as one digit, letters as two (10-35).
    const mod = (r: number, i: number): number => {
      const c = chars.charCodeAt(i);
      return c < 58 ? (r * 10 + c - 48) % 97 : (r * 100 + (c | 32) - 87) % 97;
    };
    // (body mod 97) * 10^6 + (the first four: 6 digits) = 1 (mod 97), and 1 / 10^6 = 18 (mod 97).
    const target = ((98 - mod(mod(mod(mod(0, 0), 1), 2), 3)) * 18) % 97;
    let r = 0;
    let count = 0;
    let end = 0;
    for (let i = 4; i < chars.length; i++) {
      if (chars[i] === " ") continue;
      r = mod(r, i);
      if (++count > 10 && r === target) end = i + 1;
    }
    marks.fill(1, s, s + end);
  }),
};

/** The detectors named (unknown names ignored). */
export function detectors(names: readonly string[]): Detector[] {
  return Object.keys(ALL).filter((n) => names.includes(n)).map((n) => ALL[n]);
}

/** Masks every detected substring of `text` (touching ones together); too long a text is masked whole. */
export function detect(text: string, list: readonly Detector[]): string {
  // Every detector needs a digit or an @: most text skips the regular expressions.
  if (list.length === 0 || !/[\d@]/.test(text)) return text;
  // Shorter than an IBAN, no @ and fewer than a phone number's 9 digits: nothing any detector finds.
  if (text.length < 15 && text.indexOf("@") < 0 && text.replace(/\D+/g, "").length < 9) return text;
  if (text.length > MAX_SCANNED && text.replace(/[* ]/g, "").length > MAX_SCANNED) return maskText(text);
  const marks = new Uint8Array(text.length + 1);
  for (const find of list) find(text, marks);
  let out = "";
  for (let i = 0, s = 0; i <= text.length; i++) {
    if (i === text.length || marks[i] !== marks[s]) {
      out += marks[s] ? maskText(text.slice(s, i)) : text.slice(s, i);
      s = i;
    }
  }
  return out;
}
