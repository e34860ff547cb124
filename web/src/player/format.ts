// Pure formatting of times, durations and counts for both pages.

/** A playhead position: m:ss under an hour, h:mm:ss beyond (like video players). */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${String(m).padStart(2, "0")}:${ss}`;
}

/** A human duration for the list: "45 s", "3 min 20 s", "2 h 05 min". */
export function formatDuration(ms: number): string {
  // Floor, like formatClock, so the list's duration and the player's total time never disagree.
  const total = Math.max(0, Math.floor(ms / 1000));
  if (total < 60) return `${total} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  return s ? `${m} min ${s} s` : `${m} min`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** The operator's local date and time. */
export function formatDateTime(epochMs: number): string {
  return dateTime.format(new Date(epochMs));
}

export function plural(n: number, one: string, many = one + "s"): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** "complete" or "3 beacons missing": how much of the recording arrived. */
export function completeness(missingBeacons: number): string {
  return missingBeacons === 0 ? "complete" : `${plural(missingBeacons, "beacon")} missing`;
}

/** "beacon 8" or "beacons 8–11". */
export function beaconRange(fromSeq: number, toSeq: number): string {
  return fromSeq === toSeq ? `beacon ${fromSeq}` : `beacons ${fromSeq}–${toSeq}`;
}

/** A URL shortened for display: host and path, without the scheme. Invalid URLs are shown as given. */
export function shortUrl(url: string | null | undefined): string {
  if (!url) return "—";
  try {
    const u = new URL(url);
    return u.host + u.pathname + u.search + u.hash;
  } catch {
    return url;
  }
}
