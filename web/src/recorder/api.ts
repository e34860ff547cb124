// window.reel: the page's interface to the recorder (brief §4), plus replay of calls queued by a stub.
import type { TabState } from "./ids";
import type { Outbox } from "./queue";
import type { Recorder } from "./recorder";

/** What `reel.status()` reports (tests rely on it). */
export interface Status {
  recordingId: string;
  sessionId: string;
  nextSeq: number;
  /** Beacons cut but not yet acknowledged or given up. */
  pending: number;
  /** Events buffered but not yet cut into a beacon. */
  buffered: number;
  recording: boolean;
  /** Version of the masking rules in force (0: built-in defaults); null until they are known. */
  rulesVersion: number | null;
}

/** What the API needs beyond recorder, outbox and tab: consent handling and the rules in force. */
export interface Control {
  consent(granted: boolean): void;
  rulesVersion(): number | null;
}

/** The object installed as `window.reel`. */
export interface ReelApi {
  readonly version: string;
  consent(granted: boolean): void;
  identify(userId: string, traits?: Record<string, unknown>): void;
  event(name: string, props?: Record<string, unknown>): void;
  flush(): Promise<void>;
  stop(): void;
  status(): Status;
}

/** A call queued before the script loaded: `[method, ...args]`. */
type QueuedCall = ArrayLike<unknown>;

const MAX_NAME = 256;

/** Runs `fn`, swallowing anything it throws: the host page must never see a recorder error. */
function guard<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Builds the API over the running recorder. */
export function createApi(recorder: Recorder, outbox: Outbox, tab: TabState, control: Control): ReelApi {
  return {
    version: "1",
    consent: (granted) => guard(() => control.consent(granted === true), undefined),
    identify: (userId, traits) => guard(() => {
      const id = String(userId).slice(0, MAX_NAME);
      recorder.addCustom("reel.identify", { userId: id, traits: traits ?? {} }, true);
    }, undefined),
    event: (name, props) => guard(() => {
      recorder.addCustom("reel.event", { name: String(name).slice(0, MAX_NAME), props: props ?? {} }, true);
    }, undefined),
    flush: () => guard(() => {
      recorder.flush();
      return outbox.whenSettled();
    }, Promise.resolve()),
    stop: () => guard(() => {
      recorder.stop(false);
      recorder.flush();
    }, undefined),
    status: () => ({
      recordingId: tab.recordingId,
      sessionId: tab.sessionId,
      nextSeq: tab.nextSeq,
      pending: outbox.size,
      buffered: recorder.buffered,
      recording: recorder.recording,
      rulesVersion: control.rulesVersion(),
    }),
  };
}

/**
 * Replays calls a stub queued before the script loaded, e.g. with
 * `window.reel = window.reel || {q: []}; reel.q.push(["identify", "user-1"])`.
 */
export function replayQueued(api: ReelApi, stub: unknown): void {
  const queue = (stub as { q?: unknown } | null | undefined)?.q;
  if (!Array.isArray(queue)) return;
  for (const call of queue as QueuedCall[]) {
    guard(() => {
      const [name, ...args] = Array.from(call);
      const method = (api as unknown as Record<string, unknown>)[String(name)];
      if (typeof method === "function" && name !== "status") method(...args);
    }, undefined);
  }
}
