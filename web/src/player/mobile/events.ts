// Mobile replay data as the operator API serves it (docs/contracts/mobile-beacon.md, "Storage"):
// frames name their image by its SHA-256; coordinates are points; rectangles are [x, y, w, h].

export type Rect = [number, number, number, number];
export type PathPoint = [number, number, number]; // x, y, ms after the event's timestamp

interface Base {
  timestamp: number;
}

export interface FrameEvent extends Base {
  type: "frame";
  view: string;
  full: boolean;
  rect: Rect;
  image: string;
  format: string;
  width: number;
  height: number;
  masks: Rect[];
}

export interface ViewEvent extends Base {
  type: "view";
  name: string;
}

export interface TapEvent extends Base {
  type: "tap" | "long_press";
  x: number;
  y: number;
  target: string;
  duration?: number;
}

export interface PathEvent extends Base {
  type: "swipe" | "scroll";
  points: PathPoint[];
  x?: number;
  y?: number;
  dx?: number;
  dy?: number;
}

export interface TwoFingerEvent extends Base {
  type: "pinch" | "rotate";
  x: number;
  y: number;
  scale?: number;
  degrees?: number;
  duration: number;
}

export interface KeyboardShown extends Base {
  type: "keyboard";
  visible: boolean;
}

export interface OrientationEvent extends Base {
  type: "orientation";
  orientation: "portrait" | "landscape";
  width: number;
  height: number;
}

export interface OtherEvent extends Base {
  type: "start" | "keys" | "lifecycle" | "crash" | "identify" | "event";
}

export type MobileEvent =
  | FrameEvent
  | ViewEvent
  | TapEvent
  | PathEvent
  | TwoFingerEvent
  | KeyboardShown
  | OrientationEvent
  | OtherEvent;

/** One rectangle edge in pixels: floor(v * scale + 0.5), as the SDK crops and the server composites. */
export function edge(value: number, scale: number): number {
  return Math.floor(value * scale + 0.5);
}

/** Left, top, width and height in pixels of a rectangle in points. */
export function pixelBox(rect: Rect, scale: number): [number, number, number, number] {
  const [x, y, w, h] = rect;
  const left = edge(x, scale);
  const top = edge(y, scale);
  return [left, top, Math.max(1, edge(x + w, scale) - left), Math.max(1, edge(y + h, scale) - top)];
}

/** Frames in time order (stable), the only events the picture depends on. */
export function framesOf(events: readonly MobileEvent[]): FrameEvent[] {
  return events.filter((e): e is FrameEvent => e.type === "frame");
}

/**
 * Index range [from, to) of `frames` that makes the picture at `t`: the last full frame at or before `t`
 * and the partial frames after it. `from` is -1 before the first full frame.
 */
export function frameRange(frames: readonly FrameEvent[], t: number): [number, number] {
  let from = -1;
  let to = 0;
  while (to < frames.length && frames[to].timestamp <= t) {
    if (frames[to].full) from = to;
    to += 1;
  }
  return [from, to];
}

/** The view shown at `t` (the last view or frame naming one), or null before any. */
export function viewAt(events: readonly MobileEvent[], t: number): string | null {
  let view: string | null = null;
  for (const e of events) {
    if (e.timestamp > t) break;
    if (e.type === "view") view = e.name;
    else if (e.type === "frame" && e.view) view = e.view;
  }
  return view;
}
