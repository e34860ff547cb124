// Sending one body: gzip, the fetch itself, and what the response means for retries.
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, REQUEST_TIMEOUT_MS } from "./config";

/** What to do with a beacon after one attempt. */
export type Outcome =
  | { readonly kind: "ok"; readonly status: number }
  | { readonly kind: "drop"; readonly status: number }
  | { readonly kind: "retry"; readonly status: number; readonly afterMs: number | null };

/** Whether this browser can gzip natively (CompressionStream). */
export function canGzip(): boolean {
  return typeof CompressionStream === "function";
}

/**
 * Gzips text with CompressionStream: native zlib, though on the main thread (not a worker); a P4 trace shows
 * about 30 ms of its CPU per run, the full snapshot's megabyte included.
 */
export async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

/** Posts a body as a CORS-simple request (text/plain, no custom header, no credentials). */
export async function post(url: string, body: string | ArrayBuffer, keepalive: boolean,
  abort: AbortController): Promise<Outcome> {
  // The timeout only fires while the page lives, so it never cuts a keepalive request short after unload;
  // it stops a hung request (keepalive from a hidden tab included) from stalling the queue.
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method: "POST",
      body,
      keepalive,
      credentials: "omit",
      mode: "cors",
      // The page's own URL (query and all) need not travel in a Referer header; the Origin header still does.
      referrerPolicy: "origin",
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      signal: abort.signal,
    });
    return classify(res.status, res.headers.get("Retry-After"), Date.now());
  } catch {
    // Network error, CORS refusal, abort or keepalive quota exceeded: all worth another try.
    return { kind: "retry", status: 0, afterMs: null };
  } finally {
    clearTimeout(timer);
  }
}

/** Maps an HTTP status to ok, retry (network, 408, 429, 5xx) or drop (any other status). */
export function classify(status: number, retryAfter: string | null, now: number): Outcome {
  if (status >= 200 && status < 300) return { kind: "ok", status };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "retry", status, afterMs: parseRetryAfter(retryAfter, now) };
  }
  return { kind: "drop", status };
}

/** Retry-After as milliseconds from now (delta-seconds or an HTTP date), capped; null if absent or bad. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  const ms = /^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), 10 * BACKOFF_MAX_MS);
}

/** Delay before attempt `n + 1`: doubling from 1 s to 30 s, jittered to 50–100 % so clients spread out. */
export function backoff(attempts: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + Math.random() * 0.5));
}
