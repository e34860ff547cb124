// Reel's wrapper around rrweb's Replayer: it works in epoch milliseconds (the API's time base) instead of
// offsets from whatever event happens to be first, keeps the replay iframe sandboxed, scales the recorded
// viewport to the stage, and indexes the loaded events for the page URL and snapshot questions the UI asks.
import { Replayer } from "@rrweb/replay";
import { EventType, IncrementalSource, type eventWithTime } from "@rrweb/types";

/**
 * rrweb applies, on a seek, the events strictly *before* the target time. Reel's "state at T" includes the
 * events stamped T, so seeks aim one millisecond later.
 */
const INCLUSIVE_MS = 1;

/**
 * A page load records its Meta event and its full snapshot a few milliseconds apart, and the session
 * starts at the Meta event. A position this close before a snapshot shows that snapshot rather than
 * the empty document before it.
 */
const SNAPSHOT_GRACE_MS = 1000;

/** The parts of rrweb's Replayer that `restart` reaches beyond its typed interface (rrweb 2.1). */
interface RestartableReplayer {
  service: { state: { context: { events: eventWithTime[]; lastPlayedEvent: eventWithTime | null; timer: { clear(): void } } } };
  emitter: { emit(type: string): void };
  backToNormal(): void;
  pause(): void;
}

export interface ReplayOptions {
  speed: number;
  skipInactive: boolean;
}

interface Stamped {
  ts: number;
  href: string;
}

/** How an image masking left without a source is drawn in the replay (and the first frame). */
export const MASKED_IMAGE_RULE = "img:not([src]):not([srcset]) { background: #dfe3ea; }";

export class Replay {
  readonly replayer: Replayer;
  private readonly metas: Stamped[] = [];
  private readonly snapshots: number[] = [];
  private lastTs = Number.NEGATIVE_INFINITY;
  private size: { width: number; height: number } | null = null;
  private readonly resizeObserver: ResizeObserver;

  constructor(
    /** The element the replay is fitted into; the Replayer's wrapper goes into a frame inside it. */
    private readonly stage: HTMLElement,
    private readonly frame: HTMLElement,
    firstEvents: eventWithTime[],
    options: ReplayOptions,
  ) {
    this.index(firstEvents);
    this.replayer = new Replayer(firstEvents, {
      root: frame,
      speed: options.speed,
      skipInactive: options.skipInactive,
      showWarning: false, // recordings with gaps reference nodes that never arrived; that is expected here
      mouseTail: false,
      // A seek applies the events from the segment's keyframe to the target at once. rrweb's virtual DOM
      // would first copy the whole rebuilt page (thousands of nodes in a long session) into a shadow tree
      // and diff it back afterwards; applied straight to the iframe's DOM (nothing is laid out until the
      // next frame) the same fast-forward costs a fraction of that. Playback never used it.
      useVirtualDom: false,
      // Focusing elements inside the replay would move keyboard focus into the iframe and swallow the
      // player's shortcuts.
      triggerFocus: false,
      // A masked image has no source left (docs/contracts/masking-rules.md): drawn as a plain grey box of
      // its recorded size rather than the browser's broken-image icon.
      insertStyleRules: [MASKED_IMAGE_RULE],
      // UNSAFE_replayCanvas stays off: canvas replay needs allow-scripts, which reopens recorded-DOM XSS.
    });
    this.enforceSandbox();
    this.replayer.on("resize", (dimension) => {
      const d = dimension as { width: number; height: number };
      if (d.width > 0 && d.height > 0) {
        this.size = { width: d.width, height: d.height };
        this.fit();
      }
    });
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(stage);
  }

  /** The replay iframe, sandboxed as exactly `allow-same-origin`. */
  get iframe(): HTMLIFrameElement {
    return this.replayer.iframe;
  }

  /**
   * rrweb creates the iframe with `sandbox="allow-same-origin"` already; set it again so that a future
   * rrweb version or option cannot quietly let recorded scripts run. Recorded DOM is untrusted input.
   */
  enforceSandbox(): void {
    const iframe = this.replayer.iframe;
    if (iframe.getAttribute("sandbox") !== "allow-same-origin") iframe.setAttribute("sandbox", "allow-same-origin");
    iframe.setAttribute("title", "Session replay");
    iframe.setAttribute("aria-hidden", "true");
  }

  /**
   * Starts over from `events` (a segment's head first) in the same replayer and iframe, as a new Replay
   * would, without building a new iframe and tearing down the old one (about a third of a seek's CPU in a profile).
   * The replayer's state is reset as rrweb itself resets it to replay from an earlier snapshot (its
   * "play-back"); the next `pauseAt` or `playFrom` rebuilds the page from the head's full snapshot.
   */
  restart(events: eventWithTime[]): void {
    const replayer = this.replayer as unknown as RestartableReplayer;
    replayer.pause();
    const context = replayer.service.state.context;
    context.timer.clear();
    // rrweb's context holds the array the replayer reads everywhere: refill it rather than replace it.
    context.events.length = 0;
    for (const event of [...events].sort((a, b) => a.timestamp - b.timestamp)) context.events.push(event);
    context.lastPlayedEvent = null;
    replayer.emitter.emit("play-back"); // forgets the built page: mirror, style mirror, media, snapshot
    replayer.backToNormal();
    this.metas.length = 0;
    this.snapshots.length = 0;
    this.lastTs = Number.NEGATIVE_INFINITY;
    this.index(events);
  }

  /** Adds the events of the next chunk (after every earlier chunk's). */
  add(events: eventWithTime[]): void {
    this.index(events);
    for (const event of events) this.replayer.addEvent(event);
  }

  /** Epoch ms of the earliest loaded event: the zero of rrweb's time offsets. */
  private get origin(): number {
    return this.replayer.getMetaData().startTime;
  }

  get lastEventTime(): number {
    return this.lastTs;
  }

  get isPlaying(): boolean {
    return this.replayer.service.state.matches("playing");
  }

  /** The replayer's position in epoch ms. */
  now(): number {
    return this.origin + this.replayer.getCurrentTime() - INCLUSIVE_MS;
  }

  /** Shows the state at `time` (epoch ms), paused. Synchronous: the iframe holds that state on return. */
  pauseAt(time: number): void {
    this.markAppliedPrefix();
    this.replayer.pause(this.offsetFor(time));
  }

  playFrom(time: number): void {
    this.markAppliedPrefix();
    this.replayer.play(this.offsetFor(time));
  }

  pause(): void {
    this.replayer.pause();
  }

  setSpeed(speed: number): void {
    this.replayer.setConfig({ speed });
  }

  setSkipInactive(skipInactive: boolean): void {
    this.replayer.setConfig({ skipInactive });
  }

  /** The page URL at `time`: the href of the last Meta event at or before it (null before the first). */
  hrefAt(time: number): string | null {
    const i = lastAtOrBefore(this.metas, time, (m) => m.ts);
    if (i >= 0) return this.metas[i].href;
    // The session's first milliseconds, before its first page load is stamped: that page (as displayed).
    const first = this.metas[0];
    return first !== undefined && first.ts - time <= SNAPSHOT_GRACE_MS ? first.href : null;
  }

  /** The time of the first full snapshot after `time`, if one is loaded (the next page load). */
  nextSnapshotAfter(time: number): number | null {
    const i = lastAtOrBefore(this.snapshots, time, (t) => t) + 1;
    return i < this.snapshots.length ? this.snapshots[i] : null;
  }

  /** Whether a full snapshot (a rendered page) exists at or just before `time`. */
  hasSnapshotAt(time: number): boolean {
    return this.snapshots.length > 0 && this.snapshots[0] <= time + SNAPSHOT_GRACE_MS;
  }

  /** The recorded viewport size, once a Meta event has been replayed. */
  get viewport(): { width: number; height: number } | null {
    return this.size;
  }

  /** Scales the recorded viewport to the stage, keeping its aspect ratio (never above 1:1). */
  fit(): void {
    if (!this.size) return;
    const { width, height } = this.size;
    const availW = this.stage.clientWidth;
    const availH = this.stage.clientHeight;
    if (availW <= 0 || availH <= 0) return;
    const scale = Math.min(availW / width, availH / height, 1);
    // CSSOM writes, not style attributes in markup: allowed under a CSP without 'unsafe-inline'.
    this.frame.style.width = `${Math.floor(width * scale)}px`;
    this.frame.style.height = `${Math.floor(height * scale)}px`;
    this.replayer.wrapper.style.transform = `scale(${scale})`;
    this.replayer.wrapper.style.transformOrigin = "0 0";
    this.frame.dataset.scale = scale.toFixed(3);
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    this.replayer.destroy();
  }

  /**
   * Works around an rrweb seek bug that corrupts the replay after some seeks (text from an earlier
   * moment stays in the page). A seek remembers the last event it applied, and the next forward seek
   * skips the events up to that event's time and applies the rest. For a mouse-move event rrweb takes
   * the time of its *first position*, which can lie before events that were already applied — by the
   * previous seek (which applies everything stamped before its target) or by playback. Those events are
   * then applied twice, and rrweb's applyMutation permanently deletes, from the stored event, every
   * removal whose node it cannot find — so every later replay leaves those nodes in place.
   *
   * What has been applied is exactly the events stamped before the last seek's target (`baselineTime`)
   * plus, in playback order, those up to the last played one. Replacing a mouse-move "last played" by a
   * plain marker at the later of the two makes the next seek skip exactly what was applied (a mouse move
   * may be applied twice, which is harmless). Called before each seek, while nothing else runs.
   */
  private markAppliedPrefix(): void {
    const context = this.replayer.service.state.context;
    const last = context.lastPlayedEvent;
    if (last?.type !== EventType.IncrementalSnapshot || last.data.source !== IncrementalSource.MouseMove) return;
    const playedUntil = last.timestamp + (last.data.positions[0]?.timeOffset ?? 0);
    context.lastPlayedEvent = {
      type: EventType.Custom,
      timestamp: Math.max(playedUntil, context.baselineTime - 1),
      data: { tag: "reel:applied-until", payload: null },
    };
  }

  private offsetFor(time: number): number {
    let target = time;
    // Just before the first snapshot (the session's first milliseconds): show that snapshot.
    const first = this.snapshots[0];
    if (first !== undefined && target < first && first - target <= SNAPSHOT_GRACE_MS) target = first;
    return Math.max(0, target - this.origin + INCLUSIVE_MS);
  }

  private index(events: eventWithTime[]): void {
    for (const event of events) {
      if (event.timestamp > this.lastTs) this.lastTs = event.timestamp;
      if (event.type === EventType.Meta) insertSorted(this.metas, { ts: event.timestamp, href: event.data.href }, (m) => m.ts);
      else if (event.type === EventType.FullSnapshot) insertSorted(this.snapshots, event.timestamp, (t) => t);
    }
  }
}

/** Index of the last item whose key is ≤ `at`, or -1. */
function lastAtOrBefore<T>(items: readonly T[], at: number, key: (item: T) => number): number {
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function insertSorted<T>(items: T[], item: T, key: (item: T) => number): void {
  const at = lastAtOrBefore(items, key(item), key) + 1;
  items.splice(at, 0, item);
}
