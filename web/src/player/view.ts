// The player page's parts once the session is known: header, banner, address bar, stage, controls with
// the seek bar, the console and network panels under them, and the action list beside them.
import { ActionPanel } from "./actions";
import type { Action, SessionDetail } from "./api";
import { Controls, type ControlActions } from "./controls";
import { DevtoolsPanel } from "./devtools";
import { h } from "./dom";
import { sessionHeader } from "./header";
import { idleSpans } from "./idle";
import type { Prefs } from "./prefs";
import { Timeline } from "./timeline";
import { UrlBar } from "./urlbar";

export interface ViewActions extends ControlActions {
  /** The playhead was dragged to `ms` (not yet released): only the time label follows. */
  scrub(ms: number): void;
  /** The operator released the playhead or clicked a marker at `ms` from the start. */
  seek(ms: number): void;
  /** The operator picked an action in the list. */
  selectAction(action: Action): void;
}

export class PlayerView {
  readonly timeline: Timeline;
  readonly controls: Controls;
  readonly urlbar: UrlBar;
  readonly panel: ActionPanel;
  /** Address bar, stage and controls: what full screen shows. */
  readonly viewer: HTMLElement;
  /** Console and network panels under the replay. */
  readonly devtools: DevtoolsPanel;
  /** What the page's root shows, in order. */
  readonly children: HTMLElement[];

  constructor(
    session: SessionDetail,
    total: number,
    stage: HTMLElement,
    banner: HTMLElement,
    prefs: Prefs,
    actions: ViewActions,
  ) {
    const gaps = session.gaps.map((g) => ({
      from: g.start - session.start,
      to: g.end - session.start,
      fromSeq: g.from_seq,
      toSeq: g.to_seq,
    }));
    const idle = idleSpans(session.idle, session.start);
    this.timeline = new Timeline(total, gaps, idle, (ms) => actions.scrub(ms), (ms) => actions.seek(ms));
    this.controls = new Controls(this.timeline, total, actions, { ...prefs });
    this.urlbar = new UrlBar(session.first_url);
    this.panel = new ActionPanel(session.start, (action) => actions.selectAction(action));
    this.devtools = new DevtoolsPanel(session.start, (ts) => actions.seek(ts - session.start));
    // Full screen shows the viewer: the replay with its address bar, controls and console/network panels.
    this.viewer = h("div", { class: "viewer" }, this.urlbar.element, stage, this.controls.element, this.devtools.element);
    this.children = [
      sessionHeader(session),
      banner,
      h("div", { class: "player-body" }, this.viewer, this.panel.element),
    ];
  }
}
