// The player page's opening (brief §3.4, P5; issue 11): a few KB run as soon as the page is parsed, before
// the player bundle (rrweb and the whole UI, ~300 KB) has loaded and compiled. It shows the frame the page
// carries (the DOM at the session's start, rendered on the server) in the stage the player then adopts
// (player.ts): the operator sees the right picture while the player is still on its way. The session's
// description and the first segment's request are already in the page (pages.py).
//
// It also starts the player bundle (`data-bundle`, preloaded by the page), once the frame has been painted:
// run as a deferred script, the bundle's evaluation (50-150 ms of main thread on a 2-core machine) came
// before the browser's first paint of the frame, which then waited for it (8 h dashboard: first frame
// painted just after DOMContentLoaded).
import { FirstFrame } from "./firstframe";
import type { PlayerHook } from "./hook";

function open(): void {
  const root = document.getElementById("player");
  if (!root || window.reelOpening) return;
  const frame = document.createElement("div");
  frame.className = "frame";
  const stage = document.createElement("div");
  stage.className = "stage";
  stage.append(frame);
  const viewer = document.createElement("div");
  viewer.className = "viewer";
  viewer.append(stage);
  root.replaceChildren(viewer);
  const waiting = waitingHook();
  window.reelOpening = { stage, frame, firstFrame: FirstFrame.show(frame, stage), hooked: waiting.hooked };
  window.reelPlayer ??= waiting.hook;
}

/**
 * The test hook (hook.ts) until the player bundle has run, which starts after the frame is painted, maybe
 * after the page's load event: it says "loading", and its `ready` and `seek` wait for the player's.
 */
function waitingHook(): { hook: PlayerHook; hooked: (hook: PlayerHook) => void } {
  let hooked: (hook: PlayerHook) => void = () => {};
  const player = new Promise<PlayerHook>((resolve) => (hooked = resolve));
  const hook: PlayerHook = {
    ready: player.then((real) => real.ready),
    seek: async (ms) => (await player).seek(ms),
    currentTime: () => 0,
    state: () => "loading",
    loaded: () => false,
    iframe: () => null,
    currentUrl: () => null,
    error: () => null,
    actions: () => [],
    markers: () => 0,
  };
  return { hook, hooked };
}

/** How long the bundle waits for the frame's paint at most (animation frames pause in a hidden tab). */
const BUNDLE_WAIT_MS = 500;

/** Adds the player bundle's script once, after two animation frames (the frame painted) or the wait. */
function startBundle(src: string, afterPaint: boolean): void {
  let started = false;
  const start = (): void => {
    if (started) return;
    started = true;
    const script = document.createElement("script");
    script.src = src;
    document.head.append(script);
  };
  if (!afterPaint) return start();
  // The second frame's callbacks run after the one that marks the frame painted (firstframe.ts); the task
  // posted from there runs once that frame is out.
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(start, 0)));
  setTimeout(start, BUNDLE_WAIT_MS);
}

const bundle = (document.currentScript as HTMLScriptElement | null)?.dataset.bundle;
try {
  open();
} finally {
  if (bundle) startBundle(bundle, Boolean(window.reelOpening?.firstFrame));
}
