// The application's rules document from `GET /v1/web/config`, cached in localStorage for a minute (the
// endpoint's max-age) so the pages of a visit start recording without a round trip. It holds no personal
// data: it is the application's configuration, the same for every user.
import { compile, type Policy } from "./rules";

const KEY = "reel.config";
const FRESH_MS = 60_000;
const TIMEOUT_MS = 5_000;

/** The rules, cached or fetched; never rejects. Failing both: the strict defaults (version 0). */
export async function loadPolicy(url: string, appKey: string): Promise<Policy> {
  let cached: { k?: string; t: number; d?: unknown } = { t: 0 };
  try {
    cached = JSON.parse(localStorage.getItem(KEY) || "") as typeof cached;
    if (cached.k !== appKey) cached = { t: 0 };
  } catch {
    // Nothing cached, or no storage.
  }
  const age = Date.now() - cached.t;
  if (age >= 0 && age < FRESH_MS) return compile(cached.d);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, { credentials: "omit", signal: abort.signal, referrerPolicy: "origin" });
    const doc: unknown = res.ok ? await res.json() : 0;
    if (!doc || typeof doc !== "object") throw 0;
    try {
      localStorage.setItem(KEY, JSON.stringify({ k: appKey, t: Date.now(), d: doc }));
    } catch {
      // No storage: fetched again on the next page.
    }
    return compile(doc);
  } catch {
    // Unreachable or no endpoint: the last rules seen, else the defaults (consent required, mask all).
    return compile(cached.d);
  } finally {
    clearTimeout(timer);
  }
}
