// The player's test hook, `window.reelPlayer`: end-to-end tests seek, then read the replay iframe's
// `contentDocument`, the page URL, the loaded actions and the markers drawn.
import type { ActionKind } from "./api";

export type PlayerState = "loading" | "playing" | "paused" | "buffering" | "ended" | "error" | "empty";

export interface PlayerHook {
  /** Resolves after the first render (or the error or empty state), with the actions loaded or failed. */
  ready: Promise<void>;
  seek(ms: number): Promise<void>;
  currentTime(): number;
  state(): PlayerState;
  loaded(): boolean;
  iframe(): HTMLIFrameElement | null;
  /** The page URL at the current time (the href of the last Meta event at or before it). */
  currentUrl(): string | null;
  error(): string | null;
  /** The session's actions as the API sent them (`ts` in ms epoch); empty until loaded. */
  actions(): Array<{ ts: number; kind: ActionKind | string }>;
  /** How many action markers the seek bar shows. */
  markers(): number;
  /** Web sessions: the numbers (`n`) of the segments the replayer holds now, in order. */
  segments?(): number[];
  /** Web sessions: the idle periods (ms from the start) and how many times playback skipped one. */
  idle?(): Array<{ from: number; to: number }>;
  skips?(): number;
  /** Mobile sessions: frames found impossible to draw so far (undecodable or past the pixel budget). */
  skippedFrames?(): number;
}
