// Default masking until the privacy rules land (brief §3.5): every text and input value is replaced by
// stars whose count is a coarse bucket of the original length, because same-length masks leak (brief §6).

const GROUP = 8;
const MAX_BUCKET = 2048;

/** Rounds a length up to a power of two (at least 4, at most MAX_BUCKET). */
function bucket(length: number): number {
  let b = 4;
  while (b < length && b < MAX_BUCKET) b *= 2;
  return b;
}

/** Stars in groups of seven separated by spaces, so masked paragraphs still wrap in the replay. */
function stars(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += i % GROUP === GROUP - 1 && i !== length - 1 ? " " : "*";
  return out;
}

const cache = new Map<number, string>();

/** Masks text, keeping leading and trailing whitespace (layout) but not the exact length. */
export function maskText(text: string): string {
  const core = text.trim();
  if (!core) return text;
  const lead = text.length - text.trimStart().length;
  const trail = text.length - text.trimEnd().length;
  const size = bucket(core.length);
  let masked = cache.get(size);
  if (masked === undefined) {
    masked = stars(size);
    cache.set(size, masked);
  }
  return text.slice(0, lead) + masked + text.slice(text.length - trail);
}

/** Masks an input value the same way; rrweb calls it for every input under maskAllInputs. */
export function maskInput(value: string): string {
  return maskText(value);
}
