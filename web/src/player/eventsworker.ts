// A Web Worker of the player (brief §3.4): fetches one chunk of replay events and lets the browser inflate
// it off the page's main thread, then hands the page the body's text; several run in parallel.
// Built as its own bundle (/static/built/events-worker.js). Messages: see workers.ts.
import { INCOMPLETE, readError, UNREACHABLE } from "./apierror";

interface ChunkRequest {
  id: number;
  url?: string;
  abort?: boolean;
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
    // The body goes to the page as text, parsed there: a string crosses to the page as one copy, while a
    // parsed array of events would be rebuilt object by object by the structured clone on the page's
    // thread, several times slower than JSON.parse (measured: the main cost of a seek's fetch).
    let text: string;
    try {
      text = await response.text();
    } catch {
      scope.postMessage({ id, error: { status: 0, message: INCOMPLETE, code: null } });
      return;
    }
    scope.postMessage({ id, text });
  } finally {
    inFlight.delete(id);
  }
}

