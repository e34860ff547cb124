// Beacons that pagehide could only send by ordinary fetch (too big for keepalive) are cancelled if the page
// goes away first. They are also stashed in sessionStorage so the tab's next page load sends them again;
// the server stores a (recording, seq) once, so a copy that did arrive costs only bandwidth.
import { newBeacon, type Beacon } from "./beacon";

const STASH_KEY = "reel.unsent";
/** Stash at most this many characters: sessionStorage holds a few MiB per origin, shared with the app. */
const MAX_STASH_CHARS = 4 * 1024 * 1024;

interface Stashed {
  /** seq */
  s: number;
  /** base64 gzip body, or null */
  g: string | null;
  /** plain body, or null */
  p: string | null;
}

/** Base64 of bytes, in chunks so String.fromCharCode never gets too many arguments. */
function toBase64(buf: ArrayBuffer): string {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, i + 0x8000)));
  }
  return btoa(bin);
}

function fromBase64(text: string): ArrayBuffer {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes.buffer;
}

/** Saves beacons for the next page load of this tab, as many as fit, oldest first. */
export function stash(beacons: readonly Beacon[]): void {
  if (beacons.length === 0) return;
  try {
    const items: Stashed[] = [];
    let chars = 0;
    for (const b of beacons) {
      const item: Stashed = { s: b.seq, g: b.gz ? toBase64(b.gz) : null, p: b.gz ? null : b.body };
      chars += (item.g ?? item.p ?? "").length;
      if (chars > MAX_STASH_CHARS) break;
      items.push(item);
    }
    sessionStorage.setItem(STASH_KEY, JSON.stringify(items));
  } catch {
    // No storage or over quota: these beacons depend on their fetch alone.
  }
}

/** Forgets the stash (the page came back from the back/forward cache and still delivers them itself). */
export function dropStash(): void {
  try {
    sessionStorage.removeItem(STASH_KEY);
  } catch {
    // Nothing stashed, then.
  }
}

/** Takes the beacons an earlier page of this tab stashed, as fresh beacons with their original seq. */
export function takeStash(): Beacon[] {
  try {
    const raw = sessionStorage.getItem(STASH_KEY);
    sessionStorage.removeItem(STASH_KEY);
    const items = raw ? (JSON.parse(raw) as Stashed[]) : [];
    return items.filter((i) => Number.isInteger(i.s) && (i.g || i.p)).map((i) => {
      const b = newBeacon(i.s, i.p);
      if (i.g) b.gz = fromBase64(i.g);
      return b;
    });
  } catch {
    return [];
  }
}
