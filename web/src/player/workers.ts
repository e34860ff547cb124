// The page's side of the events workers (eventsworker.ts): a few workers fetch chunks in parallel and
// hand over their text, parsed here (JSON.parse is several times cheaper than receiving parsed events);
// the loader still asks for the first chunk alone, first (that one on the page, see below). Without workers (an old browser, a policy that forbids
// them) chunks load on the page.
import type { eventWithTime } from "@rrweb/types";
import { ApiError, getEvents, segmentEvents, segmentPath, type Chunk, type SegmentBody } from "./api";
import { INCOMPLETE } from "./apierror";

const WORKER_URL = "/static/built/events-worker.js";
const MAX_WORKERS = 4;

interface Reply {
  id: number;
  /** The segment's body: `{head, events}` as JSON (see eventsworker.ts for why not parsed there). */
  text?: string;
  error?: { status: number; message: string; code: string | null };
}

interface Pending {
  worker: Worker;
  resolve: (events: eventWithTime[]) => void;
  reject: (err: unknown) => void;
}

class EventsWorkers {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private turn = 0;
  /** Set when a worker failed to start or crashed: chunks then load on the page. */
  broken = false;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_URL);
      worker.onmessage = (event: MessageEvent<Reply>) => this.settle(event.data);
      worker.onerror = () => this.fail(worker);
      this.workers.push(worker);
    }
  }

  /** A worker that cannot run: what it was loading fails as a network error, which the loader retries. */
  private fail(worker: Worker): void {
    this.broken = true;
    for (const [id, waiting] of this.pending) {
      if (waiting.worker !== worker) continue;
      this.pending.delete(id);
      waiting.reject(new ApiError(0, "The replay data could not be loaded in the background."));
    }
  }

  fetch(url: string, signal: AbortSignal): Promise<eventWithTime[]> {
    const id = this.nextId++;
    const worker = this.workers[this.turn++ % this.workers.length];
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(new DOMException("Loading stopped", "AbortError"));
        return;
      }
      this.pending.set(id, { worker, resolve, reject });
      signal.addEventListener("abort", () => {
        worker.postMessage({ id, abort: true });
        this.pending.delete(id);
        reject(new DOMException("Loading stopped", "AbortError"));
      }, { once: true });
      worker.postMessage({ id, url });
    });
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.text !== undefined) {
      let events: eventWithTime[];
      try {
        events = segmentEvents(JSON.parse(reply.text) as SegmentBody);
      } catch {
        waiting.reject(new ApiError(0, INCOMPLETE));
        return;
      }
      waiting.resolve(events);
    } else waiting.reject(new ApiError(reply.error?.status ?? 0, reply.error?.message ?? "The chunk did not load.", reply.error?.code ?? null));
  }
}

let shared: EventsWorkers | null | undefined;

function workers(): EventsWorkers | null {
  if (shared === undefined) {
    try {
      shared = typeof Worker === "function" ? new EventsWorkers(Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 2)) : null;
    } catch {
      shared = null; // workers not allowed here: the page fetches the chunks itself
    }
  }
  return shared;
}

let requests = 0;

/**
 * A chunk's events, fetched and parsed in a worker when the browser allows it. The very first request
 * (the loader asks for the first chunk alone, first) goes on the page: the page may have preloaded it, and
 * starting workers would put their boot (a thread and an isolate each) on the path to the first frame, in
 * parallel with the replayer's build on a machine with few cores. The workers start once the page is idle
 * after it, or when a later chunk is asked for first.
 */
export function fetchEventsOffThread(sessionId: string, chunk: Chunk, head: boolean, signal: AbortSignal): Promise<eventWithTime[]> {
  if (requests++ === 0) {
    const events = getEvents(sessionId, chunk, head, signal);
    events.finally(() => whenIdle(() => void workers())).catch(() => {});
    return events;
  }
  const pool = workers();
  if (!pool || pool.broken) return getEvents(sessionId, chunk, head, signal);
  return pool.fetch(`/api/v1${segmentPath(sessionId, chunk, head)}`, signal);
}

function whenIdle(run: () => void): void {
  if (typeof requestIdleCallback === "function") requestIdleCallback(run, { timeout: 1000 });
  else setTimeout(run, 0);
}
