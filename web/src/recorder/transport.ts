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

/** Gzips text with CompressionStream, natively but on the thread that calls it. */
function gzipHere(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}

// The same in a worker of its own, made from a blob: URL: compressing a large page's first beacon on the main
// thread cost it ~10 ms of CPU (~40 ms under P4's 4x throttling); the page's thread now only hands the text
// over. The worker runs gzipHere's own source (it uses nothing but the platform's globals) and answers in
// order, with the gzip body (transferred) or null when compressing failed there.
const WORKER = `let q=Promise.resolve();onmessage=e=>q=q.then(()=>(${gzipHere})(e.data))`
  + ".then(b=>postMessage(b,[b]),()=>postMessage(null))";
/** A worker that has not answered in this long is given up (compression then runs on the main thread). */
const WORKER_TIMEOUT_MS = 10_000;
const CSP_HINTS = "script[nonce],meta[http-equiv=content-security-policy i]";
/** The worker; null once it failed (a CSP without `blob:` for workers refuses it), undefined until tried. */
let worker: Worker | null | undefined;
/** Who waits for the worker's answers, oldest first. */
const waiting: Array<(gz: ArrayBuffer | null) => void> = [];

/** Refused, broken or silent: every body waiting, and every later one, is compressed on the main thread. */
function dropWorker(): void {
  worker?.terminate();
  worker = null;
  for (const done of waiting.splice(0)) done(null);
}

/** Gzips text off the main thread where a worker can be started, else (or if it fails) on it. */
export async function gzip(text: string): Promise<ArrayBuffer> {
  try {
    // A page with a nonce on its scripts or a CSP in a <meta> has a Content-Security-Policy, which seldom
    // allows blob: workers: not tried there, so the browser has no refusal to report. Under a CSP sent only
    // as a header, without a nonce, the refusal is reported once per page (docs/integrations.md).
    if (worker === undefined) {
      worker = typeof Worker === "function" && !document.querySelector(CSP_HINTS)
        ? new Worker(URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" }))) : null;
      if (worker) {
        worker.onmessage = (ev: MessageEvent<ArrayBuffer | null>) => waiting.shift()?.(ev.data);
        // Cancelled: an error of the worker's (its source is a function's text, which a page that replaces
        // Function.prototype.toString breaks) would otherwise be reported again in the page, to its onerror.
        worker.onerror = (ev) => {
          ev.preventDefault();
          dropWorker();
        };
      }
    }
  } catch {
    worker = null; // Refused at once (Trusted Types, a sandbox): compressed here.
  }
  const w = worker;
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  const gz = w && await new Promise<ArrayBuffer | null>((resolve) => {
    waiting.push(resolve);
    w.postMessage(text);
    timer = setTimeout(dropWorker, WORKER_TIMEOUT_MS);
  });
  clearTimeout(timer);
  return gz || gzipHere(text);
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
