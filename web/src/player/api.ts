// Client for the operator API (docs/contracts/operator-api.md). Only the fields the pages use are typed;
// the API may send more.
import type { eventWithTime } from "@rrweb/types";

export interface SessionSummary {
  id: string;
  start: number; // ms since the Unix epoch
  end: number;
  duration_ms: number;
  first_url: string | null;
  last_url: string | null;
  pages: number;
  beacons: number;
  missing_beacons: number;
  events: number;
  has_replay: boolean;
  closed: boolean;
}

/** A run of received beacons the player fetches in one request. */
export interface Chunk {
  from_seq: number;
  to_seq: number;
  start: number;
  end: number;
}

/** A run of missing beacons; `start`/`end` are the last event before and the first event after it. */
export interface Gap {
  from_seq: number;
  to_seq: number;
  start: number;
  end: number;
}

export interface SessionDetail extends SessionSummary {
  chunks: Chunk[];
  gaps: Gap[];
}

export interface SessionPage {
  sessions: SessionSummary[];
  total: number;
}

/**
 * Why a request failed. `status` is 0 for network failures (no answer at all), which are the only ones
 * worth a retry button; HTTP errors carry the server's message from the `{"error": {...}}` body.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

const API = "/api/v1";

/** The login page, coming back to this page afterwards (for 401s: the login expired or was ended). */
export function loginHref(): string {
  return `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    // The UI authenticates with its session cookie, so same-origin credentials are enough.
    response = await fetch(API + path, { credentials: "same-origin", headers: { Accept: "application/json" }, signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, "The Reel server could not be reached.");
  }
  if (!response.ok) throw await errorFrom(response);
  try {
    return (await response.json()) as T;
  } catch {
    // A body cut off mid-way (proxy timeout, dropped connection) is a transient failure, not a bad session.
    throw new ApiError(0, "The server's answer was incomplete.");
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  let message = `The server answered ${response.status} ${response.statusText}`.trim() + ".";
  let code: string | null = null;
  try {
    const body = (await response.json()) as { error?: { message?: unknown; code?: unknown } };
    if (typeof body.error?.message === "string" && body.error.message) message = body.error.message;
    if (typeof body.error?.code === "string") code = body.error.code;
  } catch {
    // Not JSON (a proxy's HTML error page, say): keep the generic message.
  }
  // 502–504 come from proxies in front of Reel and usually pass; treat them like network failures.
  const status = response.status >= 502 && response.status <= 504 ? 0 : response.status;
  return new ApiError(status, message, code);
}

export function listSessions(limit: number, offset: number): Promise<SessionPage> {
  return getJson<SessionPage>(`/sessions?limit=${limit}&offset=${offset}`);
}

export function getSession(id: string): Promise<SessionDetail> {
  return getJson<SessionDetail>(`/sessions/${encodeURIComponent(id)}`);
}

export async function getEvents(id: string, chunk: Chunk, signal?: AbortSignal): Promise<eventWithTime[]> {
  const query = `from_seq=${chunk.from_seq}&to_seq=${chunk.to_seq}`;
  const body = await getJson<{ events: eventWithTime[] }>(`/sessions/${encodeURIComponent(id)}/events?${query}`, signal);
  return body.events;
}
