// The seek bar: played and loaded ranges, gap bands, action markers, click or drag to seek. Times here are
// milliseconds from the session start (0 … total).
import { h } from "./dom";
import { beaconRange, formatClock, formatDuration } from "./format";
import type { Span } from "./idle";
import { describeAction } from "./kinds";
import { MarkerLayer, type Marker } from "./markers";
import { clamp } from "./util";

/** How close (in pixels) the pointer must be to a marker to hover or click it. */
const MARKER_REACH_PX = 6;
/** A press on a marker that moves less than this is a click on the marker, not a drag. */
const DRAG_SLOP_PX = 4;

export interface Band {
  from: number;
  to: number;
  fromSeq: number;
  toSeq: number;
}

export class Timeline {
  readonly element: HTMLElement;
  private readonly track: HTMLElement;
  private readonly played: HTMLElement;
  private readonly loaded: HTMLElement;
  private readonly thumb: HTMLElement;
  private readonly hover: HTMLElement;
  private readonly markers = new MarkerLayer();
  private dragging = false;
  private position = 0;
  /** The marker a press started on, while the pointer stays near where it went down. */
  private pressed: { marker: Marker; x: number } | null = null;

  constructor(
    private readonly total: number,
    gaps: readonly Band[],
    idle: readonly Span[],
    /** Called while dragging, so the time label can follow before the (costly) seek happens on release. */
    private readonly onScrub: (ms: number) => void,
    private readonly onSeek: (ms: number) => void,
  ) {
    this.loaded = h("div", { class: "tl-loaded" });
    this.played = h("div", { class: "tl-played" });
    this.thumb = h("div", { class: "tl-thumb" });
    this.hover = h("div", { class: "tl-hover", attrs: { "aria-hidden": "true" } });
    const bands = gaps.map((gap) => this.band(gap));
    this.track = h("div", { class: "tl-track" }, this.loaded, ...bands, this.played, this.markers.element, this.thumb);
    // The activity strip under the track: idle periods greyed out, active time in colour.
    const strip = h(
      "div",
      { class: "tl-activity", attrs: { "aria-label": `${idle.length} idle periods` } },
      ...idle.map((span) => this.idleBand(span)),
    );
    this.element = h(
      "div",
      {
        class: "timeline",
        attrs: {
          role: "slider",
          tabindex: "0",
          "aria-label": "Seek",
          "aria-valuemin": "0",
          "aria-valuemax": String(total),
        },
      },
      this.track,
      strip,
      this.hover,
    );
    this.listen();
    this.setPosition(0);
  }

  /** True while the operator drags the playhead; the time shown then follows the drag. */
  get isDragging(): boolean {
    return this.dragging;
  }

  /** Moves the playhead (ignored while the operator drags it). */
  setPosition(ms: number): void {
    if (this.dragging) return;
    this.draw(ms);
  }

  /** Draws the action markers (replacing any drawn before). */
  setMarkers(markers: Marker[]): void {
    this.markers.set(markers, (ms) => this.percent(ms));
  }

  /** How many markers are drawn. */
  get markerCount(): number {
    return this.markers.count;
  }

  /** How far events are loaded, in ms from the start (Infinity when all are). */
  /** Shows which stretch of the recording the player holds (ms from the start; `to` may be Infinity). */
  setLoaded(from: number, to: number): void {
    const left = this.percent(from);
    this.loaded.style.left = `${left}%`;
    this.loaded.style.width = `${Math.max(0, this.percent(to) - left)}%`;
  }

  private draw(ms: number): void {
    this.position = clamp(ms, 0, this.total);
    const p = this.percent(this.position);
    this.played.style.width = `${p}%`;
    this.thumb.style.left = `${p}%`;
    this.element.setAttribute("aria-valuenow", String(Math.round(this.position)));
    this.element.setAttribute("aria-valuetext", `${formatClock(this.position)} of ${formatClock(this.total)}`);
  }

  private band(gap: Band): HTMLElement {
    const left = this.percent(gap.from);
    // A gap of a few milliseconds would be invisible; give every band a minimum width so it can be found.
    const width = Math.max(this.percent(gap.to) - left, 0.6);
    const el = h("div", {
      class: "tl-gap",
      attrs: { title: `Missing data: ${beaconRange(gap.fromSeq, gap.toSeq)} not received` },
    });
    el.style.left = `${left}%`;
    el.style.width = `${width}%`;
    return el;
  }

  private idleBand(span: Span): HTMLElement {
    const left = this.percent(span.from);
    const el = h("div", {
      class: "tl-idle",
      attrs: {
        title: `Inactive for ${formatDuration(span.to - span.from)} (${formatClock(span.from)}–${formatClock(span.to)})`,
        "data-from": String(Math.round(span.from)),
        "data-to": String(Math.round(span.to)),
      },
    });
    el.style.left = `${left}%`;
    el.style.width = `${Math.max(this.percent(span.to) - left, 0.3)}%`;
    return el;
  }

  private percent(ms: number): number {
    if (this.total <= 0) return ms > 0 ? 100 : 0;
    return (clamp(ms, 0, this.total) / this.total) * 100;
  }

  private timeAt(clientX: number): number {
    const rect = this.track.getBoundingClientRect();
    const fraction = rect.width > 0 ? (clientX - rect.left) / rect.width : 0;
    return clamp(fraction, 0, 1) * this.total;
  }

  private listen(): void {
    const el = this.element;
    el.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault();
      el.focus({ preventScroll: true });
      el.setPointerCapture(event.pointerId);
      this.dragging = true;
      el.classList.add("dragging");
      const marker = this.markerAt(event.clientX);
      this.pressed = marker ? { marker, x: event.clientX } : null;
      this.scrub(event.clientX);
    });
    el.addEventListener("pointermove", (event) => {
      if (this.pressed && Math.abs(event.clientX - this.pressed.x) > DRAG_SLOP_PX) this.pressed = null;
      this.showHover(event.clientX);
      if (this.dragging) this.scrub(event.clientX);
    });
    const release = (event: PointerEvent, commit: boolean): void => {
      if (!this.dragging) return;
      this.dragging = false;
      el.classList.remove("dragging");
      if (el.hasPointerCapture(event.pointerId)) el.releasePointerCapture(event.pointerId);
      // A click on a marker seeks to its action exactly, wherever within reach the pointer was.
      const target = this.pressed ? this.pressed.marker.at : this.timeAt(event.clientX);
      this.pressed = null;
      if (commit) this.onSeek(target);
    };
    el.addEventListener("pointerup", (event) => release(event, true));
    el.addEventListener("pointercancel", (event) => release(event, false));
    el.addEventListener("pointerleave", () => {
      el.classList.remove("hovering");
      this.markers.highlight(null);
    });
    // Home/End on the focused slider; arrows are the page-wide shortcuts (see controls.ts).
    el.addEventListener("keydown", (event) => {
      if (event.key === "Home") this.onSeek(0);
      else if (event.key === "End") this.onSeek(this.total);
      else return;
      event.preventDefault();
    });
  }

  private scrub(clientX: number): void {
    const ms = this.pressed ? this.pressed.marker.at : this.timeAt(clientX);
    this.draw(ms);
    this.onScrub(ms);
  }

  /** The marker within reach of the pointer, if any. */
  private markerAt(clientX: number): Marker | null {
    const width = this.track.getBoundingClientRect().width;
    if (width <= 0 || this.total <= 0) return null;
    return this.markers.nearest(this.timeAt(clientX), (MARKER_REACH_PX / width) * this.total);
  }

  /** The time under the pointer, or what the marker under it is (kind, target, time). */
  private showHover(clientX: number): void {
    const marker = this.dragging && !this.pressed ? null : this.markerAt(clientX);
    this.markers.highlight(marker);
    const ms = marker ? marker.at : this.timeAt(clientX);
    if (marker) {
      this.hover.replaceChildren(
        h("span", { class: "tl-hover-text", text: describeAction(marker.action) }),
        h("span", { class: "tl-hover-time", text: formatClock(ms) }),
      );
    } else {
      this.hover.textContent = formatClock(ms);
    }
    const p = this.percent(ms);
    this.hover.style.left = `${p}%`;
    this.hover.classList.toggle("marker", marker !== null);
    // Near the ends a wide tooltip would stick out of the bar: anchor it by its edge instead.
    this.hover.classList.toggle("edge-start", marker !== null && p < 20);
    this.hover.classList.toggle("edge-end", marker !== null && p > 80);
    this.element.classList.add("hovering");
  }
}
