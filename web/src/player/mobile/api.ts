// The mobile session endpoints (docs/contracts/mobile-beacon.md, "Operator API for mobile sessions").
import { ApiError } from "../api";
import { readError, UNREACHABLE } from "../apierror";
import type { MobileEvent } from "./events";

/** The events of a mobile session: frames, views and gestures. */
export async function getMobileEvents(sessionId: string): Promise<MobileEvent[]> {
  const url = `/api/v1/sessions/${encodeURIComponent(sessionId)}/mobile-events`;
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, UNREACHABLE);
  }
  if (!response.ok) {
    const { status, message, code } = await readError(response);
    throw new ApiError(status, message, code);
  }
  const body = (await response.json()) as { events: MobileEvent[] };
  return body.events;
}
