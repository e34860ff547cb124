// Frame images by digest, fetched once and decoded off the main thread (createImageBitmap). An image
// that does not decode, or that the server does not have, resolves to null and stays so: the screen
// skips it (docs/contracts/mobile-beacon.md, "Images that cannot be drawn"). Network and server errors
// reject and are forgotten, so a later attempt tries again.
import { ApiError } from "../api";
import { UNREACHABLE } from "../apierror";

export class ImageCache {
  private readonly images = new Map<string, Promise<ImageBitmap | null>>();

  constructor(private readonly sessionId: string) {}

  get(digest: string): Promise<ImageBitmap | null> {
    let found = this.images.get(digest);
    if (!found) {
      found = this.fetch(digest);
      found.catch(() => this.images.delete(digest));
      this.images.set(digest, found);
    }
    return found;
  }

  private async fetch(digest: string): Promise<ImageBitmap | null> {
    const url = `/api/v1/sessions/${encodeURIComponent(this.sessionId)}/images/${encodeURIComponent(digest)}`;
    let response: Response;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch {
      throw new ApiError(0, UNREACHABLE);
    }
    if (response.status === 404) return null;
    if (!response.ok) throw new ApiError(response.status, `A frame image could not be loaded (${response.status}).`);
    const blob = await response.blob();
    return createImageBitmap(blob).catch(() => null);
  }
}
