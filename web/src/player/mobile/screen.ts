// The device screen at a moment: the last full frame with the partial frames after it drawn over, kept
// in an offscreen canvas so that moving forward only draws the new partial frames. Frames that cannot be
// drawn are skipped as the server's compositor skips them (src/reel/screen/canvas.py): an image that does
// not decode (a full frame leaves a flat grey screen of its size), and partial frames past the pixel
// budget (after a full frame, partial frames may hold as many pixels as it).
import { frameRange, pixelBox, type FrameEvent } from "./events";
import type { ImageCache } from "./images";

/** What a full frame that does not decode leaves (the server paints the same). */
export const UNDECODABLE_FILL = "rgb(72, 72, 72)";

export type SkipReason = "undecodable" | "over_budget";

export class DeviceScreen {
  readonly canvas = document.createElement("canvas");
  private readonly ctx: CanvasRenderingContext2D;
  /** The frames drawn now: [from, to) of `frames`, or from = -1 when nothing is drawn. */
  private drawn: [number, number] = [-1, 0];
  /** Pixels per point of the current full frame. */
  scale = 1;
  /** Frames found impossible to draw, by index in `frames`. */
  readonly skipped = new Map<number, SkipReason>();
  /** The pixel budget of the partial frames after the current full frame, and what they used of it. */
  private budget = 0;
  private spent = 0;
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
    let spent = incremental ? this.spent : 0;
    const budget = incremental ? this.budget : pixelsOf(this.frames[from]);
    // Decided before any image is fetched: a partial frame past the budget is never loaded.
    const plan: Array<{ index: number; frame: FrameEvent }> = [];
    for (let index = start; index < to; index++) {
      const frame = this.frames[index];
      if (!frame.full) {
        spent += pixelsOf(frame);
        if (spent > budget) {
          spent -= pixelsOf(frame);
          this.skipped.set(index, "over_budget");
          continue;
        }
      }
      plan.push({ index, frame });
    }
    const bitmaps = await Promise.all(plan.map((p) => this.images.get(p.frame.image)));
    if (token !== this.token) return false;
    plan.forEach((p, i) => this.draw(p.index, p.frame, bitmaps[i]));
    this.drawn = [from, to];
    this.budget = budget;
    this.spent = spent;
    return true;
  }

  private draw(index: number, frame: FrameEvent, bitmap: ImageBitmap | null): void {
    if (frame.full) {
      const width = bitmap?.width ?? frame.width;
      const height = bitmap?.height ?? frame.height;
      if (this.canvas.width !== width || this.canvas.height !== height) {
        this.canvas.width = width;
        this.canvas.height = height;
      }
      this.scale = width / frame.rect[2];
      if (bitmap) {
        this.ctx.drawImage(bitmap, 0, 0);
      } else {
        this.skipped.set(index, "undecodable");
        this.ctx.fillStyle = UNDECODABLE_FILL;
        this.ctx.fillRect(0, 0, width, height);
      }
      return;
    }
    if (!bitmap) {
      this.skipped.set(index, "undecodable");
      return; // its box keeps what was there
    }
    const [left, top, width, height] = pixelBox(frame.rect, this.scale);
    this.ctx.drawImage(bitmap, left, top, width, height);
  }
}

/** The pixels of a frame's image, as ingest read them from its header. */
function pixelsOf(frame: FrameEvent): number {
  return frame.width * frame.height;
}
