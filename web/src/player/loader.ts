// Progressive loading of a session's replay events: the first chunk alone (so the first frame paints
// quickly), then the rest a few at a time in parallel. Chunks are handed over strictly in order, so the
// replayer always holds a gap-free prefix of the recording and a seek can tell whether it may go ahead.
import type { eventWithTime } from "@rrweb/types";
import { ApiError, type Chunk } from "./api";
import { fetchEventsOffThread } from "./workers";

export type ChunkFetcher = (chunk: Chunk, signal: AbortSignal) => Promise<eventWithTime[]>;

export interface LoaderOptions {
  concurrency?: number;
  /** Delays before the 2nd, 3rd, … attempt of one chunk; after the last one the chunk counts as failed. */
  retryDelaysMs?: number[];
}

interface Waiter {
  until: number; // resolve once every chunk starting at or before this time has been delivered
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class ChunkLoader {
  /** Index of the first chunk not yet delivered: chunks [0, delivered) are in the replayer. */
  private delivered = 0;
  private readonly arrived = new Map<number, eventWithTime[]>();
  private readonly inFlight = new Set<number>();
  private readonly failed = new Set<number>();
  private nextToFetch = 0;
  private waiters: Waiter[] = [];
  private readonly abort = new AbortController();
  private lastError: unknown = null;
  private readonly concurrency: number;
  private readonly retryDelaysMs: number[];

  constructor(
    private readonly chunks: readonly Chunk[],
    private readonly fetchChunk: ChunkFetcher,
    /** Called once per chunk, in chunk order. */
    private readonly deliver: (events: eventWithTime[], index: number) => void,
    /** Called when a chunk could not be fetched even after retries; `retry()` tries again. */
    private readonly onError: (err: unknown) => void = () => {},
    options: LoaderOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.retryDelaysMs = options.retryDelaysMs ?? [500, 2000];
  }

  static forSession(
    sessionId: string,
    chunks: readonly Chunk[],
    deliver: (events: eventWithTime[], index: number) => void,
    onError?: (err: unknown) => void,
  ): ChunkLoader {
    // Only the first segment's head is played: each later one follows on from the one before it.
    return new ChunkLoader(chunks, (chunk, signal) => fetchEventsOffThread(sessionId, chunk, chunk === chunks[0], signal), deliver, onError);
  }

  /**
   * Fetches the first chunk alone and resolves once it is delivered; the others follow in the background.
   * Rejects (without calling `onError`) when the first chunk fails.
   */
  async start(): Promise<void> {
    if (this.chunks.length === 0) return;
    this.nextToFetch = 1;
    await this.fetchOne(0);
    // Without the first chunk there is nothing to show; the caller reports the error (and can start over).
    if (this.delivered === 0) throw this.lastError ?? new Error("The first chunk did not load.");
    this.pump();
  }

  get done(): boolean {
    return this.delivered >= this.chunks.length;
  }

  get deliveredCount(): number {
    return this.delivered;
  }

  /** The end time of the delivered prefix (for the timeline's "loaded" bar); -Infinity before any. */
  get loadedUntil(): number {
    if (this.done) return Number.POSITIVE_INFINITY;
    return this.delivered === 0 ? Number.NEGATIVE_INFINITY : this.chunks[this.delivered - 1].end;
  }

  /** Whether everything needed to show the state at `time` (epoch ms) has been delivered. */
  covers(time: number): boolean {
    return this.done || this.chunks[this.delivered].start > time;
  }

  /** Resolves once `covers(time)`; rejects if a needed chunk fails (call again after `retry()`). */
  waitFor(time: number): Promise<void> {
    if (this.covers(time)) return Promise.resolve();
    if (this.lastError !== null) return Promise.reject(this.lastError);
    return new Promise((resolve, reject) => this.waiters.push({ until: time, resolve, reject }));
  }

  /** Tries the failed chunks again. */
  retry(): void {
    this.lastError = null;
    const again = [...this.failed];
    this.failed.clear();
    for (const index of again) void this.fetchOne(index).then(() => this.pump());
    this.pump();
  }

  stop(): void {
    this.abort.abort();
    this.rejectWaiters(new DOMException("Loading stopped", "AbortError"));
  }

  private pump(): void {
    while (this.inFlight.size < this.concurrency && this.nextToFetch < this.chunks.length && this.lastError === null) {
      const index = this.nextToFetch++;
      void this.fetchOne(index).then(() => this.pump());
    }
  }

  private async fetchOne(index: number): Promise<void> {
    this.inFlight.add(index);
    try {
      const events = await this.fetchWithRetries(this.chunks[index]);
      this.arrived.set(index, events);
      this.flush();
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.failed.add(index);
      this.lastError = err;
      this.rejectWaiters(err);
      if (index !== 0) this.onError(err); // the first chunk's failure is start()'s to report
    } finally {
      this.inFlight.delete(index);
    }
  }

  private async fetchWithRetries(chunk: Chunk): Promise<eventWithTime[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        const events = await this.fetchChunk(chunk, this.abort.signal);
        // The API sorts by timestamp; sorting again is nearly free on sorted input and protects the replayer,
        // which assumes order.
        return events.slice().sort((a, b) => a.timestamp - b.timestamp);
      } catch (err) {
        // Only transient failures are worth repeating; a 404/410 will not change by asking again.
        const transient = err instanceof ApiError && err.isNetwork;
        if (!transient || attempt >= this.retryDelaysMs.length || this.abort.signal.aborted) throw err;
        await sleep(this.retryDelaysMs[attempt]);
      }
    }
  }

  /** Hands over every chunk that is next in line; a chunk that arrived early waits for its predecessors. */
  private flush(): void {
    while (this.arrived.has(this.delivered)) {
      const index = this.delivered;
      const events = this.arrived.get(index) ?? [];
      this.arrived.delete(index);
      this.delivered++;
      this.deliver(events, index);
    }
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.covers(w.until)) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private rejectWaiters(err: unknown): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
