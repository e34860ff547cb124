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
    tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    // No Intl time zone: sent empty.
  }
  // Bounded as ingest accepts them (it refuses longer fields, and with them the whole beacon).
  return JSON.stringify({
    ua: n.userAgent.slice(0, 1024), lang: (n.language || "").slice(0, 64), tz: tz.slice(0, 64),
    vw: innerWidth, vh: innerHeight, ref: ref ? maskUrl(p, ref).slice(0, 2048) : "", touch: n.maxTouchPoints || 0,
  });
}
