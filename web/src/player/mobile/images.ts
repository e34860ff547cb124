// Frame images by digest, fetched once and decoded off the main thread (createImageBitmap).
import { ApiError } from "../api";

export class ImageCache {
  private readonly images = new Map<string, Promise<ImageBitmap>>();

  constructor(private readonly sessionId: string) {}

  get(digest: string): Promise<ImageBitmap> {
    let found = this.images.get(digest);
    if (!found) {
      found = this.fetch(digest);
      // A failed fetch is forgotten, so a later attempt (after a network blip) tries again.
      found.catch(() => this.images.delete(digest));
      this.images.set(digest, found);
    }
    return found;
  }

  private async fetch(digest: string): Promise<ImageBitmap> {
    const url = `/api/v1/sessions/${encodeURIComponent(this.sessionId)}/images/${encodeURIComponent(digest)}`;
    let response: Response;
    try {
      response = await fetch(url, { credentials: "same-origin" });
    } catch {
      throw new ApiError(0, "The Reel server could not be reached.");
    }
    if (!response.ok) throw new ApiError(response.status, `A frame image could not be loaded (${response.status}).`);
    return createImageBitmap(await response.blob());
  }
}
