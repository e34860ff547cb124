// What the web player (./player.ts) and the mobile one (./mobile/player.ts) start up alike: the `ready`
// signal the test hook waits on, the stage that plays or pauses when clicked, the page's one keyboard
// listener, the view's full-screen and help handlers, and the test hook's common entries.
import type { Action } from "./api";
import type { PlayerHook, PlayerState } from "./hook";
import type { ShortcutHelp } from "./shortcuts";
import { toggleFullscreen } from "./sharing";
import type { PlayerView } from "./view";

export interface ReadySignal {
  /** Resolves once `mark` is called (later calls do nothing). */
  readonly promise: Promise<void>;
  mark(): void;
}

export function readySignal(): ReadySignal {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, mark: () => resolve() };
}

/**
 * Clicking the picture plays or pauses, as in any video player (the replay iframe takes no input), but
 * not on an overlay card (its buttons and links). One keydown listener for the page's lifetime reaches
 * the controls of the view current at the time (they are rebuilt when the page retries).
 */
export function wireStage(stage: HTMLElement, toggle: () => void, view: () => PlayerView | null): void {
  stage.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest(".overlay-card")) return;
    toggle();
  });
  document.addEventListener("keydown", (event) => view()?.controls.handleKey(event));
}

/** The view's handlers that are the same in both players: full screen and the shortcut help. */
export function stageKeys(
  help: ShortcutHelp,
  view: () => PlayerView | null,
): { toggleFullscreen(): void; toggleHelp(): void; closeHelp(): boolean } {
  return {
    toggleFullscreen: () => toggleFullscreen(view()?.viewer),
    toggleHelp: () => help.toggle(),
    closeHelp: () => {
      const open = help.open;
      help.hide();
      return open;
    },
  };
}

/** What the common hook entries read of a player. */
export interface HookSource {
  readonly ready: ReadySignal;
  readonly status: PlayerState;
  readonly errorMessage: string | null;
  readonly actions: readonly Action[];
  readonly view: PlayerView | null;
  seek(ms: number, play: boolean): Promise<void>;
}

/** The hook entries both players answer alike; each spreads them into its own hook. */
export function commonHook(
  player: HookSource,
): Pick<PlayerHook, "ready" | "seek" | "state" | "error" | "actions" | "markers"> {
  return {
    ready: player.ready.promise,
    // Waits for the first render, so a test may seek as soon as the hook exists.
    seek: async (ms) => {
      await player.ready.promise;
      await player.seek(ms, false);
    },
    state: () => player.status,
    error: () => player.errorMessage,
    actions: () => player.actions.map((a) => ({ ts: a.ts, kind: a.kind })),
    markers: () => player.view?.timeline.markerCount ?? 0,
  };
}
