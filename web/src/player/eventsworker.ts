// A Web Worker of the player (brief §3.4): fetches one chunk of replay events, lets the browser inflate
// it, parses the JSON and sorts the events, all off the page's main thread; several run in parallel.
// Built as its own bundle (/static/built/events-worker.js). Messages: see workers.ts.
import { INCOMPLETE, readError, UNREACHABLE } from "./apierror";

interface ChunkRequest {
  id: number;
  url?: string;
  abort?: boolean;
}

interface Stamped {
  timestamp: number;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ChunkRequest>) => void) | null;
  postMessage(message: unknown): void;
};
const inFlight = new Map<number, AbortController>();

scope.onmessage = (event) => {
  const { id, url, abort } = event.data;
  if (abort) {
    inFlight.get(id)?.abort();
    return;
  }
  if (typeof url === "string") void load(id, url);
};

async function load(id: number, url: string): Promise<void> {
  const controller = new AbortController();
  inFlight.set(id, controller);
  try {
    let response: Response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal });
    } catch {
      scope.postMessage({ id, error: { status: 0, message: UNREACHABLE, code: null } });
      return;
    }
    if (!response.ok) {
      scope.postMessage({ id, error: await readError(response) });
      return;
    }
    let events: Stamped[];
    try {
      const body = (await response.json()) as { head?: Stamped[]; events: Stamped[] };
      events = [...(body.head ?? []), ...body.events];
    } catch {
      scope.postMessage({ id, error: { status: 0, message: INCOMPLETE, code: null } });
      return;
    }
    // The API sorts by timestamp; sorting again (stable: the head stays first) protects the replayer.
    events.sort((a, b) => a.timestamp - b.timestamp);
    scope.postMessage({ id, events });
  } finally {
    inFlight.delete(id);
  }
}

