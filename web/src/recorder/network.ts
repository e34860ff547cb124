// Failed and slow requests made with fetch and XMLHttpRequest, as `reel.network` custom events: method,
// URL (masked later by the URL rule, with every other event), status, duration and sizes. Never bodies or
// headers. The page's calls are passed through untouched: fetch returns the very promise the browser gave.

/** Payload of a `reel.network` custom event (docs/contracts/web-beacon.md). */
export interface NetworkPayload {
  method: string;
  url: string;
  /** HTTP status; 0 when no response arrived (`error` says why) or the response is opaque (no-cors). */
  status: number;
  /** Milliseconds from the call to the response (or the failure). */
  duration: number;
  /** Request body size in bytes (strings counted in UTF-16 units), when the page sent one Reel can size. */
  req?: number;
  /** Response size from Content-Length, when the response has one. */
  res?: number;
  /** `network` (no response), `abort` or `timeout`. */
  error?: string;
  via: "fetch" | "xhr";
}

type Report = (payload: NetworkPayload) => void;

/** The size of a request body without reading it (streams and forms: unknown). */
function bodySize(body: unknown): number | undefined {
  if (typeof body === "string") return body.length;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return body.toString().length;
  return undefined;
}

function size(value: string | null): number | undefined {
  const n = value === null ? NaN : Number(value);
  return n >= 0 ? n : undefined;
}

/** Wraps fetch and XMLHttpRequest; `ours(url)` marks Reel's own requests, which are never reported. */
export function watchNetwork(win: Window, slowMs: number, ours: (url: string) => boolean, report: Report): void {
  const done = (p: NetworkPayload): void => {
    try {
      if ((p.status >= 400 || p.error || p.duration >= slowMs) && !ours(p.url)) report(p);
    } catch {
      // Reporting must never break the page.
    }
  };
  const orig = win.fetch;
  if (typeof orig === "function") {
    win.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const promise = orig.call(this ?? win, input, init);
      try {
        const t0 = performance.now();
        const req = input instanceof Request ? input : null;
        const base: Omit<NetworkPayload, "status" | "duration"> = {
          method: String(init?.method || req?.method || "GET").toUpperCase(),
          url: req ? req.url : String(input),
          req: bodySize(init?.body),
          via: "fetch",
        };
        const took = (): number => Math.round(performance.now() - t0);
        // A side branch: the page's own promise is returned as it is, and its rejection stays the page's.
        promise.then(
          (r) => done({ ...base, url: r.url || base.url, status: r.status, duration: took(),
            res: size(r.headers.get("content-length")) }),
          (e: unknown) => done({ ...base, status: 0, duration: took(),
            error: (e as { name?: string })?.name === "AbortError" ? "abort" : "network" }),
        );
      } catch {
        // As above.
      }
      return promise;
    };
  }
  const XHR = (win as Window & { XMLHttpRequest?: typeof XMLHttpRequest }).XMLHttpRequest;
  if (!XHR) return;
  const proto = XHR.prototype;
  const open = proto.open;
  const send = proto.send;
  const calls = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  proto.open = function (this: XMLHttpRequest, ...args: unknown[]) {
    try {
      calls.set(this, { method: String(args[0]).toUpperCase(), url: String(args[1]) });
    } catch {
      // As above.
    }
    return (open as (...a: unknown[]) => void).apply(this, args);
  };
  proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    try {
      const call = calls.get(this);
      if (call) {
        const t0 = performance.now();
        let error: string | undefined;
        const fail = (kind: string) => () => (error = kind);
        this.addEventListener("error", fail("network"));
        this.addEventListener("abort", fail("abort"));
        this.addEventListener("timeout", fail("timeout"));
        this.addEventListener("loadend", () => done({
          ...call, url: this.responseURL || call.url, status: this.status, duration: Math.round(performance.now() - t0),
          req: bodySize(body), res: this.status ? size(this.getResponseHeader("content-length")) : undefined,
          error, via: "xhr",
        }));
      }
    } catch {
      // As above.
    }
    return (send as (b?: unknown) => void).call(this, body);
  };
}
