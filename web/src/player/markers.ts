// Action markers on the seek bar: page changes, errors, rage and dead clicks, clicks, identify and custom
// events. They are drawn only (no hit boxes of their own, which would be a few pixels wide); the timeline
// asks for the marker nearest the pointer, so a marker is easy to hover and click at any size.
import type { Action } from "./api";
import { h } from "./dom";
import { kindInfo, listedActions } from "./kinds";
import { clamp } from "./util";

export interface Marker {
  /** Milliseconds from the session start. */
  at: number;
  action: Action;
  rank: number;
}

/** The markers for these actions, lowest rank first (so the important ones are drawn on top). */
export function markersFor(actions: readonly Action[], start: number, total: number): Marker[] {
  const markers: Marker[] = [];
  for (const action of listedActions(actions)) {
    const info = kindInfo(action.kind);
    if (info.marker === null) continue;
    markers.push({ at: clamp(action.ts - start, 0, total), action, rank: info.rank });
  }
  return markers.sort((a, b) => a.rank - b.rank || a.at - b.at);
}

export class MarkerLayer {
  readonly element = h("div", { class: "tl-markers", attrs: { "aria-hidden": "true" } });
  private markers: Marker[] = [];
  private readonly drawn = new Map<Marker, HTMLElement>();
  private hot: Marker | null = null;

  get count(): number {
    return this.drawn.size;
  }

  /** Draws `markers`; `percent` places a time on the bar. */
  set(markers: Marker[], percent: (ms: number) => number): void {
    this.markers = markers;
    this.drawn.clear();
    this.hot = null;
    const nodes = markers.map((m) => {
      const info = kindInfo(m.action.kind);
      const el = h("span", { class: `tl-marker m-${info.marker ?? "click"}` });
      el.style.left = `${percent(m.at)}%`;
      this.drawn.set(m, el);
      return el;
    });
    this.element.replaceChildren(...nodes);
  }

  /**
   * The marker for a pointer at `ms`: the nearest one within `tolerance` ms, where an important marker
   * (an error, a rage click) wins over a plain click a little closer to the pointer.
   */
  nearest(ms: number, tolerance: number): Marker | null {
    let best: Marker | null = null;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const m of this.markers) {
      const distance = Math.abs(m.at - ms);
      if (distance > tolerance) continue;
      const score = distance / Math.max(tolerance, 1) - m.rank * 0.1;
      if (score < bestScore) {
        best = m;
        bestScore = score;
      }
    }
    return best;
  }

  /** Enlarges the marker under the pointer (or none). */
  highlight(marker: Marker | null): void {
    if (marker === this.hot) return;
    if (this.hot) this.drawn.get(this.hot)?.classList.remove("hot");
    this.hot = marker;
    if (marker) this.drawn.get(marker)?.classList.add("hot");
  }
}
