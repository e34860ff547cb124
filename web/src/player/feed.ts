// Feeds the replayer a window of the session's segments around the playhead (planned in window.ts): a seek
// far from what is loaded fetches the target's segment alone, head first, and starts the replayer over
// from it; while playing, the next segment is fetched and follows on; once the window is full, playback
// rolls over to the next segment's head, so the segments behind are dropped. The page keeps one replayer
// (and iframe) throughout (Replay.restart). A seek or a
// deep link never loads the recording up to its target.
import type { eventWithTime } from "@rrweb/types";
import { ApiError, type Chunk } from "./api";
import { Replay, type ReplayOptions } from "./replay";
import { macrotask } from "./util";
import { covers, nextLoad, seekPlan, segmentAt, type SegmentWindow } from "./window";
import { fetchEventsOffThread } from "./workers";

export type SegmentFetcher = (chunk: Chunk, head: boolean, signal: AbortSignal) => Promise<eventWithTime[]>;

/** Delays before the 2nd, 3rd, … attempt of one segment; after the last one it counts as failed. */
const RETRY_DELAYS_MS = [500, 2000];

export interface FeedHooks {
  /** The replayer started over from a segment's head (the first time: was created). */
  replaced(replay: Replay): void;
  /** A segment followed on in the replayer. */
  grew(): void;
  /** A segment loaded ahead could not be fetched even after retries; `retry()` tries again. */
  failed(err: unknown): void;
  /** The events of a segment (by index) went into the replayer; a segment may come again later. */
  loaded(index: number, events: readonly eventWithTime[]): void;
}

export class SegmentFeed {
  private current: Replay | null = null;
  private win: SegmentWindow | null = null;
  /** Bumped whenever the replayer is replaced: loads started for an older one are dropped. */
  private generation = 0;
  /** Bumped by every `prepare`: a call still fetching when a newer one came gives way to it. */
  private tickets = 0;
  private appending: { index: number; done: Promise<void> } | null = null;
  /** The head of the segment to roll over to, fetched ahead. */
  private rollover: { index: number; events: Promise<eventWithTime[]> } | null = null;
  private lastError: unknown = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly segments: readonly Chunk[],
    private readonly fetchSegment: SegmentFetcher,
    private readonly makeReplay: (events: eventWithTime[]) => Replay,
    private readonly hooks: FeedHooks,
  ) {}

  static forSession(
    sessionId: string,
    segments: readonly Chunk[],
    stage: HTMLElement,
    frame: HTMLElement,
    options: () => ReplayOptions,
    hooks: FeedHooks,
  ): SegmentFeed {
    return new SegmentFeed(
      segments,
      (chunk, head, signal) => fetchEventsOffThread(sessionId, chunk, head, signal),
      (events) => new Replay(stage, frame, events, options()),
      hooks,
    );
  }

  get replay(): Replay | null {
    return this.current;
  }

  /** The segments in the replayer, or null before the first. */
  get window(): SegmentWindow | null {
    return this.win;
  }

  /** Whether the window reaches the session's last segment. */
  get done(): boolean {
    return this.win !== null && this.win.last >= this.segments.length - 1;
  }

  /** The time range (epoch ms) the replayer holds, for the timeline's "loaded" bar. */
  get loadedRange(): { from: number; to: number } | null {
    if (this.win === null) return null;
    const last = this.segments[this.win.last];
    return { from: this.segments[this.win.base].start, to: this.done ? Number.POSITIVE_INFINITY : last.end };
  }

  covers(time: number): boolean {
    return covers(this.segments, this.win, time);
  }

  /**
   * Makes the replayer able to show `time` (epoch ms), having applied events up to `from`: keeps it when
   * that is cheap, else starts a new one from the head of the segment showing `time`. Resolves false when
   * a newer call took over meanwhile. Rejects when the segment cannot be fetched.
   */
  async prepare(time: number, from: number): Promise<boolean> {
    // Every call, even one that keeps the replayer, makes older calls still fetching give way.
    const ticket = ++this.tickets;
    const plan = seekPlan(this.segments, this.win, from, time);
    if (plan.kind === "reuse") return true;
    const appending = this.appending;
    if (appending?.index === plan.at) {
      // The segment is on its way to follow on: maybe cheaper than starting again from its head.
      await appending.done;
      if (ticket !== this.tickets) return false;
      if (seekPlan(this.segments, this.win, from, time).kind === "reuse") return true;
    }
    const generation = ++this.generation;
    let index = plan.at;
    let events: eventWithTime[] = [];
    // A segment may hold nothing to replay (every event dropped); the next one with a head shows the page.
    for (; index < this.segments.length; index++) {
      events = await this.head(index);
      if (ticket !== this.tickets || generation !== this.generation) return false;
      if (events.length > 0) break;
    }
    if (events.length === 0) return true; // nothing at all to replay from here on: no replayer
    // The next segment may have followed on meanwhile (playback went on from it): keep that replayer.
    if (seekPlan(this.segments, this.win, from, time).kind === "reuse") return true;
    // For benchmarks (bench/seek.py): when the segment a seek needed had arrived.
    mark("reel:segment-fetched");
    this.install(events, { base: plan.at, last: Math.min(index, this.segments.length - 1) });
    this.hooks.loaded(index, events);
    return true;
  }

  /** Loads ahead of the playhead at `time` (epoch ms) while playing. */
  advance(time: number): void {
    if (this.lastError !== null || this.appending) return;
    const next = nextLoad(this.segments, this.win, time);
    if (next === null) return;
    if (next.kind === "append") this.append(next.index);
    else if (this.rollover?.index !== next.index) {
      const events = this.fetch(next.index, true);
      events.catch(() => {}); // reported when playback reaches it (prepare rejects)
      this.rollover = { index: next.index, events };
    }
  }

  /** Whether playback at `time` must go on from the next segment's head (the window is full). */
  mustRoll(time: number): boolean {
    return nextLoad(this.segments, this.win, time)?.kind === "roll";
  }

  /** The start (epoch ms) of the first segment after the window, or null at the end. */
  get nextStart(): number | null {
    if (this.win === null || this.done) return null;
    return this.segments[this.win.last + 1].start;
  }

  /** The index of the segment showing `time`. */
  indexAt(time: number): number {
    return segmentAt(this.segments, time);
  }

  retry(): void {
    this.lastError = null;
  }

  /** Stops loading; the replayer stays, showing what it shows. */
  stop(): void {
    this.abort.abort();
    this.generation++;
    this.tickets++;
  }

  destroy(): void {
    this.stop();
    this.current?.destroy();
    this.current = null;
    this.win = null;
  }

  private install(events: eventWithTime[], win: SegmentWindow): void {
    // One replayer (and iframe) for the page's lifetime: a jump starts it over from the segment's head.
    if (this.current) this.current.restart(events);
    else this.current = this.makeReplay(events);
    this.win = win;
    this.appending = null;
    if (this.rollover?.index !== win.last + 1) this.rollover = null;
    this.hooks.replaced(this.current);
  }

  private append(index: number): void {
    const generation = this.generation;
    const slot = { index, done: Promise.resolve() };
    this.appending = slot;
    slot.done = (async () => {
      try {
        const events = await this.fetch(index, false);
        if (generation !== this.generation || !this.current || this.win?.last !== index - 1) return;
        this.current.add(events);
        this.hooks.loaded(index, events);
        // rrweb files added events on a microtask; let them all land before anyone plays them.
        await macrotask();
        if (generation !== this.generation || this.win?.last !== index - 1) return;
        this.win = { base: this.win.base, last: index };
        this.hooks.grew();
      } catch (err) {
        if (this.abort.signal.aborted || generation !== this.generation) return;
        this.lastError = err;
        this.hooks.failed(err);
      } finally {
        if (this.appending === slot) this.appending = null;
      }
    })();
  }

  private head(index: number): Promise<eventWithTime[]> {
    const ahead = this.rollover;
    if (ahead?.index === index) {
      this.rollover = null;
      return ahead.events;
    }
    return this.fetch(index, true);
  }

  private async fetch(index: number, head: boolean): Promise<eventWithTime[]> {
    const chunk = this.segments[index];
    for (let attempt = 0; ; attempt++) {
      try {
        const events = await this.fetchSegment(chunk, head, this.abort.signal);
        // The API sorts by timestamp; sorting again (stable: the head stays first) protects the replayer.
        return events.slice().sort((a, b) => a.timestamp - b.timestamp);
      } catch (err) {
        // Only transient failures are worth repeating; a 404/410 will not change by asking again.
        const transient = err instanceof ApiError && err.isNetwork;
        if (!transient || attempt >= RETRY_DELAYS_MS.length || this.abort.signal.aborted) throw err;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
      }
    }
  }
}

/** A performance mark, replacing the previous one of that name (marks are otherwise kept for good). */
export function mark(name: string): void {
  performance.clearMarks(name);
  performance.mark(name);
}
