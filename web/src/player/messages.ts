// What the player says in the overlay for each thing that can stand between the operator and the replay
// (an error, a gap, a moment without a page). Pure: data in, content out.
import { ApiError, loginHref, type Gap, type SessionDetail } from "./api";
import { beaconRange, formatClock } from "./format";
import type { PlayerState } from "./hook";
import type { OverlayContent } from "./overlay";
import type { Replay } from "./replay";

const BACK = { label: "Back to sessions", href: "/sessions" };

/** Why the session cannot be played; `retry` is offered only for failures that may pass. */
export function errorContent(err: unknown, retry: () => void): OverlayContent {
  const api = err instanceof ApiError ? err : null;
  if (api?.status === 404) {
    return {
      kind: "error",
      title: "Session not found",
      detail: "No session with this id exists, or it belongs to an application you cannot see.",
      link: BACK,
    };
  }
  if (api?.status === 410) {
    // The server's message says when and why (retention or a deletion request): show it as sent.
    return { kind: "error", title: "This session was deleted", detail: api.message, link: BACK };
  }
  if (api?.status === 401) {
    return {
      kind: "error",
      title: "Log in to view this session",
      detail: "Your login has ended.",
      link: { label: "Log in", href: loginHref() },
    };
  }
  if (api && !api.isNetwork) {
    return { kind: "error", title: "This session cannot be played", detail: api.message, link: BACK };
  }
  return {
    kind: "error",
    title: "Could not reach the Reel server",
    detail: api?.message ?? "The replay data did not load.",
    action: { label: "Retry", run: retry },
  };
}

/** The moment has no page to show: no full snapshot at or before it. `jump` goes to the next page load. */
export function noSnapshotContent(session: SessionDetail, jumpTo: number | null, jump: (ms: number) => void): OverlayContent {
  const lost = session.gaps.find((g) => g.from_seq === 0);
  return {
    kind: "no-snapshot",
    title: "No page snapshot for this moment",
    detail: lost
      ? `The start of the recording (${beaconRange(lost.from_seq, lost.to_seq)}) was not received, so there is no page to show until the next page load.`
      : "The recording holds no full page snapshot before this moment, so there is no page to show yet.",
    action: jumpTo === null ? undefined : { label: `Jump to the next page load (${formatClock(jumpTo)})`, run: () => jump(jumpTo) },
  };
}

/** The playhead is inside a run of missing beacons; the last good frame stays visible underneath. */
export function gapContent(session: SessionDetail, gap: Gap): OverlayContent {
  return {
    kind: "gap",
    title: `Missing data: ${beaconRange(gap.from_seq, gap.to_seq)} were not received`,
    detail: `Showing the last frame before the gap; the recording resumes at ${formatClock(gap.end - session.start)}.`,
  };
}

/**
 * What stands between the operator and the replay at `at` (ms epoch), if anything: loading, no page yet,
 * a gap, buffering. Asked on every animation frame; the overlay redraws only when the answer changes.
 */
export function stageMessage(
  session: SessionDetail,
  replay: Replay | null,
  status: PlayerState,
  at: number,
  jump: (ms: number) => void,
): OverlayContent | null {
  if (status === "loading" || !replay) {
    return { kind: "loading", title: "Loading…", detail: "Fetching the replay data for this moment." };
  }
  if (!replay.hasSnapshotAt(at)) {
    const next = replay.nextSnapshotAfter(at);
    return noSnapshotContent(session, next === null ? null : next - session.start, jump);
  }
  const gap = session.gaps.find((g) => g.start <= at && at < g.end);
  if (gap) return gapContent(session, gap);
  if (status === "buffering") return { kind: "buffering", title: "Loading…" };
  return null;
}
