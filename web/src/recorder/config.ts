// Tunables (brief §5, docs/contracts/web-beacon.md) and discovery of the snippet's own <script> tag.

/** Buffered events are cut into a beacon at most this long after the first one arrived. */
export const FLUSH_INTERVAL_MS = 5_000;
/** Cut early once buffered events reach this many JSON characters (256 KiB, brief §5). */
export const FLUSH_AT_CHARS = 256 * 1024;
/** Largest body sent with keepalive (brief §5: ≤ 60 KiB). */
export const KEEPALIVE_BODY_MAX = 61_440;
/** Chromium refuses keepalive requests once the bodies in flight from one document sum past 64 KiB. */
export const KEEPALIVE_QUOTA = 65_536;
/** Room kept free when flushing on tab-hidden, so the final beacon of a following pagehide still fits. */
export const KEEPALIVE_RESERVE = 4_096;
/** A user interaction after this much quiet starts a new session (brief §3.3). */
export const IDLE_TIMEOUT_MS = 30 * 60_000;
/** Retry backoff: doubling from the base up to the cap, with jitter. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 30_000;
/** After this many failed attempts (≈ 4 minutes of backoff) a beacon has failed for good. */
export const MAX_ATTEMPTS = 12;
/** An ordinary request that takes longer is aborted and retried, so it cannot stall the queue. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** Unsent beacons beyond this many bytes are dropped oldest first, so an outage cannot exhaust memory. */
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** Where beacons go and under which app key. */
export interface Setup {
  readonly url: string;
  readonly gzipUrl: string;
  /** The application's rules and consent settings (docs/contracts/masking-rules.md). */
  readonly configUrl: string;
  readonly appKey: string;
}

/** Reads the app key and the endpoint from the snippet's script tag; null when there is none. */
export function findSetup(doc: Document): Setup | null {
  const el = findScript(doc);
  const appKey = el?.dataset.appKey;
  if (!el || !appKey) return null;
  // data-endpoint overrides the base; otherwise beacons go to the server that served reel.js.
  const base = el.dataset.endpoint || el.src || doc.baseURI;
  const config = new URL("/v1/web/config", base);
  config.searchParams.set("k", appKey);
  const url = new URL("/v1/web/beacons", base);
  url.searchParams.set("k", appKey);
  const plain = url.href;
  url.searchParams.set("ce", "gzip");
  return { url: plain, gzipUrl: url.href, configUrl: config.href, appKey };
}

/** The running script, or (when currentScript is unavailable) the last Reel snippet tag. */
function findScript(doc: Document): HTMLScriptElement | null {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.dataset.appKey) return current;
  const tags = doc.querySelectorAll<HTMLScriptElement>("script[data-app-key]");
  for (let i = tags.length - 1; i >= 0; i--) {
    const tag = tags[i];
    if (tag.src && new URL(tag.src, doc.baseURI).pathname.endsWith("/capture/reel.js")) return tag;
  }
  return null;
}
