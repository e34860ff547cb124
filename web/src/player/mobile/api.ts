// The mobile session endpoints (docs/contracts/mobile-beacon.md, "Operator API for mobile sessions").
import { ApiError } from "../api";
import type { MobileEvent } from "./events";

/** The events of a mobile session: frames, views and gestures. */
export async function getMobileEvents(sessionId: string): Promise<MobileEvent[]> {
  const url = `/api/v1/sessions/${encodeURIComponent(sessionId)}/mobile-events`;
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    throw new ApiError(0, "The Reel server could not be reached.");
  }
  if (!response.ok) {
    let message = `The server answered ${response.status}.`;
    try {
      const body = (await response.json()) as { error?: { message?: unknown } };
      if (typeof body.error?.message === "string") message = body.error.message;
    } catch {
      // Not JSON: keep the generic message.
    }
    throw new ApiError(response.status >= 502 && response.status <= 504 ? 0 : response.status, message);
  }
  const body = (await response.json()) as { events: MobileEvent[] };
  return body.events;
}
