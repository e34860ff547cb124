// Client for the operator API (docs/contracts/operator-api.md). Only the fields the pages use are typed;
// the API may send more.
import type { eventWithTime } from "@rrweb/types";
import { INCOMPLETE, readError, UNREACHABLE } from "./apierror";

/** Why a session ended: the tab closed, the user went idle, the recorder went silent, or a split. */
export type CloseReason = "" | "tab_closed" | "app_closed" | "idle" | "silent" | "split";

export interface SessionSummary {
  id: string;
  app_id: string;
  /** 1 for a session that was not split; k for the k-th part of a split one. */
  part: number;
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
  close_reason: CloseReason;
  /** The id given to `identify()`, or "" for an anonymous user. */
  user_id: string;
  actions: number;
  errors: number;
  rage_clicks: number;
  dead_clicks: number;
  platform: string;
  /** Browser and major version ("Chrome 131"), "" when unknown. */
  browser?: string;
  os?: string;
  /** "desktop", "mobile", "tablet" or "". */
  device?: string;
  viewport_width?: number;
  viewport_height?: number;
  language?: string;
  timezone?: string;
  referrer?: string;
  /** The traits of the last identify() call, as the site sent them. */
  traits?: Record<string, unknown>;
}

/** A stretch without user interaction (ms epoch), found by the server; the player may skip it. */
export interface IdlePeriod {
  start: number;
  end: number;
}

/** One part of a split session (the only one when the session was not split). */
export interface PartRef {
  id: string;
  part: number;
  start: number;
  end: number;
}

export type ActionKind =
  | "load"
  | "navigation"
  | "click"
  | "rage_click"
  | "dead_click"
  | "input"
  | "select"
  | "submit"
  | "identify"
  | "custom"
  | "error";

/** An action of the session, as the server extracted it; `ts` is on the events' clock (ms epoch). */
export interface Action {
  ts: number;
  kind: ActionKind | string; // a kind added on the server later is listed, not dropped
  url: string;
  target: string;
  label: string;
  data: Record<string, unknown>;
}

/** A segment of the session: a window of time the player fetches in one request, its head (the DOM at
 * its start) first. `n` names it in `/sessions/{id}/segments/{n}`. */
export interface Chunk {
  n: number;
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
  segments: Chunk[];
  gaps: Gap[];
  parts: PartRef[];
  idle?: IdlePeriod[];
}

export interface Application {
  id: string;
  name: string;
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
    // The UI authenticates with its session cookie, so same-origin credentials are enough. No headers of
    // its own: the player page preloads its first segment and actions (`<link rel=preload as=fetch
    // crossorigin>`), and the browser hands a preload only to a request that asks exactly as it did.
    response = await fetch(API + path, { credentials: "same-origin", signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, UNREACHABLE);
  }
  if (!response.ok) throw await errorFrom(response);
  try {
    return (await response.json()) as T;
  } catch {
    // A body cut off mid-way (proxy timeout, dropped connection) is a transient failure, not a bad session.
    throw new ApiError(0, INCOMPLETE);
  }
}

async function errorFrom(response: Response): Promise<ApiError> {
  const { status, message, code } = await readError(response);
  return new ApiError(status, message, code);
}

/** One page of the session search; `params` are the API's filters and sort (see filters.ts). */
export function listSessions(params: URLSearchParams, signal?: AbortSignal): Promise<SessionPage> {
  return getJson<SessionPage>(`/sessions?${params.toString()}`, signal);
}

export async function listApplications(signal?: AbortSignal): Promise<Application[]> {
  const body = await getJson<{ applications: Application[] }>("/applications", signal);
  return body.applications;
}

/**
 * The session's description carried by the player page (`<script type="application/json" id="reel-session">`,
 * the same document as `GET /sessions/{id}`), once: a retry asks the API. Null when absent or unreadable.
 */
export function takeInlineSession(id: string): SessionDetail | null {
  const block = document.getElementById("reel-session");
  block?.remove();
  try {
    const doc = JSON.parse(block?.textContent ?? "") as SessionDetail;
    return doc && doc.id === id && Array.isArray(doc.segments) ? doc : null;
  } catch {
    return null;
  }
}

export function getSession(id: string): Promise<SessionDetail> {
  return getJson<SessionDetail>(`/sessions/${encodeURIComponent(id)}`);
}

export async function getActions(id: string): Promise<Action[]> {
  const body = await getJson<{ actions: Action[] }>(`/sessions/${encodeURIComponent(id)}/actions`);
  return body.actions;
}

/** The path of a segment's events; without `head`, the events alone (to follow the segment before). */
export function segmentPath(id: string, chunk: Chunk, head: boolean): string {
  return `/sessions/${encodeURIComponent(id)}/segments/${chunk.n}?head=${head ? "true" : "false"}`;
}

/** The body of a segment's events (docs/contracts): its head (the keyframe) and the events after it. */
export interface SegmentBody {
  head?: eventWithTime[];
  events: eventWithTime[];
}

/** A segment's events in one array, the head first. */
export function segmentEvents(body: SegmentBody): eventWithTime[] {
  const head = body.head ?? [];
  return head.length === 0 ? body.events : head.concat(body.events);
}

export async function getEvents(id: string, chunk: Chunk, head: boolean, signal?: AbortSignal): Promise<eventWithTime[]> {
  return segmentEvents(await getJson<SegmentBody>(segmentPath(id, chunk, head), signal));
}
