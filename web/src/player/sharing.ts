// Sharing a moment: `?t=MS` in the address bar (a link that opens the player paused there), copying it,
// and full screen.
import { formatClock } from "./format";
import type { Notice } from "./notice";

/** Puts `ms` in the address bar as `?t=MS` without adding a history entry. */
export function shareTime(ms: number): void {
  const url = new URL(location.href);
  url.searchParams.set("t", String(Math.round(ms)));
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

/** Copies a link to `ms` (and shows it in the address bar); says whether the copy worked. */
export async function copyLinkAt(ms: number, notice: Notice): Promise<void> {
  shareTime(ms);
  try {
    await navigator.clipboard.writeText(location.href);
    notice.show(`Link to ${formatClock(ms)} copied`, "copied");
  } catch {
    // No clipboard (an insecure origin, or permission refused): the address bar holds the same link.
    notice.show("Copy the link from the address bar: it opens this moment", "copy-failed");
  }
}

/** Full screen for `element`, or back from it. */
export function toggleFullscreen(element: HTMLElement | undefined): void {
  if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  else if (element?.requestFullscreen) void element.requestFullscreen().catch(() => undefined);
}
