// The user context (docs/contracts/web-beacon.md): sent once per page and recorder session, in the
// envelope of its first beacon. The server reads browser, OS and device class from the user agent.
import { maskUrl } from "./mask";
import type { Policy } from "./rules";

/** The envelope's `context` object as JSON; the referrer goes through the URL rules like any URL. */
export function userContext(p: Policy): string {
  const n = navigator;
  const ref = document.referrer;
  let tz = "";
  try {
    tz = timeZone();
  } catch {
    // No time zone to be had: sent empty.
  }
  // Bounded as ingest accepts them (it refuses longer fields, and with them the whole beacon).
  return JSON.stringify({
    ua: n.userAgent.slice(0, 1024), lang: (n.language || "").slice(0, 64), tz: tz.slice(0, 64),
    vw: innerWidth, vh: innerHeight, ref: ref ? maskUrl(p, ref).slice(0, 2048) : "", touch: n.maxTouchPoints || 0,
  });
}

type Clock = { Temporal?: { Now?: { timeZoneId?: () => string } } };

/**
 * The IANA time zone. Temporal answers at once; the first Intl.DateTimeFormat of a page loads ICU's date
 * data, about 50 ms of main thread (200 ms under 4x CPU throttling), so it is only the fallback.
 */
function timeZone(): string {
  const now = (globalThis as Clock).Temporal?.Now;
  if (typeof now?.timeZoneId === "function") return now.timeZoneId();
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
}
