// The device screen at a moment: the last full frame with the partial frames after it drawn over, kept
// in an offscreen canvas so that moving forward only draws the new partial frames.
import { frameRange, pixelBox, type FrameEvent } from "./events";
import type { ImageCache } from "./images";

export class DeviceScreen {
  readonly canvas = document.createElement("canvas");
  private readonly ctx: CanvasRenderingContext2D;
  /** The frames drawn now: [from, to) of `frames`, or from = -1 when nothing is drawn. */
  private drawn: [number, number] = [-1, 0];
  /** Pixels per point of the current full frame. */
  scale = 1;
  /** Bumped by every render, so a render that waited for images gives way to a newer one. */
  private token = 0;

  constructor(
    private readonly frames: readonly FrameEvent[],
    private readonly images: ImageCache,
  ) {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) throw new Error("Reel: this browser has no 2D canvas");
    this.ctx = ctx;
  }

  get hasPicture(): boolean {
    return this.drawn[0] >= 0;
  }

  /** Starts loading the images of the frames up to `until` (ms epoch), so playback does not wait. */
  prefetch(from: number, until: number): void {
    for (const f of this.frames) {
      if (f.timestamp > until) break;
      if (f.timestamp >= from) void this.images.get(f.image).catch(() => undefined);
    }
  }

  /** Draws the picture at `t`; resolves false if a newer render took over (or nothing exists yet). */
  async render(t: number): Promise<boolean> {
    const token = ++this.token;
    const [from, to] = frameRange(this.frames, t);
    if (from < 0) {
      this.drawn = [-1, 0];
      return false;
    }
    const incremental = this.drawn[0] === from && this.drawn[1] <= to;
    const start = incremental ? this.drawn[1] : from;
    const needed = this.frames.slice(start, to);
    const bitmaps = await Promise.all(needed.map((f) => this.images.get(f.image)));
    if (token !== this.token) return false;
    needed.forEach((frame, i) => this.draw(frame, bitmaps[i]));
    this.drawn = [from, to];
    return true;
  }

  private draw(frame: FrameEvent, bitmap: ImageBitmap): void {
    if (frame.full) {
      if (this.canvas.width !== bitmap.width || this.canvas.height !== bitmap.height) {
        this.canvas.width = bitmap.width;
        this.canvas.height = bitmap.height;
      }
      this.scale = bitmap.width / frame.rect[2];
      this.ctx.drawImage(bitmap, 0, 0);
      return;
    }
    const [left, top, width, height] = pixelBox(frame.rect, this.scale);
    this.ctx.drawImage(bitmap, left, top, width, height);
  }
}
