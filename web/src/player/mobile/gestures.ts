// Gestures drawn over the device screen, as the MP4 export draws them (processing/mobile/overlay.py):
// tap ripples, swipe and scroll trails, pinch and rotation circles, a band while the keyboard is up.
import type { MobileEvent, PathEvent } from "./events";

const TAP_MS = 600;
const TRAIL_MS = 800;
const TWO_FINGER_MS = 700;
const TAP_COLOR = "255, 87, 34";
const TRAIL_COLOR = "33, 150, 243";

function pathEnd(e: PathEvent): number {
  const last = e.points[e.points.length - 1];
  return e.timestamp + (last ? last[2] : 0);
}

/** Draws what is visible at `t` of the gestures in `events` (sorted by time) onto `ctx`. */
export function drawGestures(ctx: CanvasRenderingContext2D, events: readonly MobileEvent[], t: number, scale: number): void {
  const radius = Math.max(6, 14 * scale);
  let keyboard = false;
  for (const e of events) {
    if (e.timestamp > t) break;
    const age = t - e.timestamp;
    switch (e.type) {
      case "tap":
      case "long_press": {
        const hold = e.duration ?? 0;
        if (age >= hold + TAP_MS) break;
        const fade = Math.max(0, 1 - Math.max(0, age - hold) / TAP_MS);
        const r = radius * (1 + Math.min(age, TAP_MS) / TAP_MS);
        ctx.lineWidth = Math.max(2, 3 * scale);
        ctx.strokeStyle = `rgba(${TAP_COLOR}, ${0.9 * fade})`;
        ctx.beginPath();
        ctx.arc(e.x * scale, e.y * scale, r, 0, 2 * Math.PI);
        ctx.stroke();
        ctx.fillStyle = `rgba(${TAP_COLOR}, ${0.6 * fade})`;
        ctx.beginPath();
        ctx.arc(e.x * scale, e.y * scale, radius / 2, 0, 2 * Math.PI);
        ctx.fill();
        break;
      }
      case "swipe":
      case "scroll": {
        if (t >= pathEnd(e) + TRAIL_MS || e.points.length === 0) break;
        ctx.lineWidth = Math.max(3, 4 * scale);
        ctx.lineJoin = "round";
        ctx.lineCap = "round";
        ctx.strokeStyle = `rgba(${TRAIL_COLOR}, 0.8)`;
        ctx.beginPath();
        let last: [number, number] | null = null;
        for (const [x, y, dt] of e.points) {
          if (e.timestamp + dt > t) break;
          if (last) ctx.lineTo(x * scale, y * scale);
          else ctx.moveTo(x * scale, y * scale);
          last = [x * scale, y * scale];
        }
        ctx.stroke();
        if (last) {
          ctx.fillStyle = `rgba(${TRAIL_COLOR}, 0.8)`;
          ctx.beginPath();
          ctx.arc(last[0], last[1], radius / 2, 0, 2 * Math.PI);
          ctx.fill();
        }
        break;
      }
      case "pinch":
      case "rotate": {
        if (age >= e.duration + TWO_FINGER_MS) break;
        const r = radius * 2.5 * (e.type === "pinch" ? (e.scale ?? 1) : 1);
        ctx.lineWidth = Math.max(2, 3 * scale);
        ctx.strokeStyle = `rgba(${TRAIL_COLOR}, 0.8)`;
        ctx.beginPath();
        ctx.arc(e.x * scale, e.y * scale, r, 0, 2 * Math.PI);
        ctx.stroke();
        break;
      }
      case "keyboard":
        keyboard = e.visible;
        break;
      default:
        break;
    }
  }
  if (keyboard) {
    const band = Math.round(ctx.canvas.height * 0.38);
    ctx.fillStyle = "rgba(40, 44, 52, 0.43)";
    ctx.fillRect(0, ctx.canvas.height - band, ctx.canvas.width, band);
  }
}
