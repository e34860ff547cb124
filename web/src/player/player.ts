// The player page (/sessions/{id}?t=MS): loads the session's metadata, its actions and the segments of
// replay events around the playhead (feed.ts), and drives the replay, controls, timeline, action list and
// overlays from one small state machine (playing, pausing and seeking over the feed: playback.ts).
import { ApiError, getActions, getSession, takeInlineSession, type Action, type SessionDetail } from "./api";
import { h, moveNode } from "./dom";
import { formatDateTime, formatDuration } from "./format";
import type { PlayerHook, PlayerState } from "./hook";
import { SegmentFeed } from "./feed";
import { markersFor } from "./markers";
import { FirstFrame } from "./firstframe";
import { idleSpans, skipTarget, type Span } from "./idle";
import { errorContent, stageMessage } from "./messages";
import { Notice } from "./notice";
import { Overlay } from "./overlay";
import { loadPrefs, savePrefs, type Prefs } from "./prefs";
import { Playback } from "./playback";
import type { ReplayOptions } from "./replay";
import { copyLinkAt, shareTime } from "./sharing";
import { ShortcutHelp } from "./shortcuts";
import { commonHook, readySignal, stageKeys, wireStage } from "./stage";
import { clamp } from "./util";
import { PlayerView } from "./view";

/** While playing, the address bar's `?t=` follows the playhead, updated at most this often. */
const SHARE_EVERY_MS = 1000;

export class Player extends Playback {
  /** Read by the test hook's common entries (stage.ts). */
  actions: Action[] = [];
  errorMessage: string | null = null;
  private actionsLoaded: Promise<void> = Promise.resolve();
  private readonly overlay = new Overlay();
  private readonly notice = new Notice();
  private readonly help = new ShortcutHelp();
  /** The session's idle periods (ms from its start), skipped while playing when the toggle is on. */
  private idle: Span[] = [];
  private skips = 0;
  private sharedAt = 0;
  private readonly stage = window.reelOpening?.stage ?? h("div", { class: "stage" });
  private ticking = false;
  /** Whether the session's description was read again because a window it named had gone (open). */
  private reread = false;
  private readonly prefs: Prefs = loadPrefs();
  readonly ready = readySignal();

  constructor(
    private readonly root: HTMLElement,
    private readonly sessionId: string,
    /** Mobile sessions have their own player (./mobile/player.ts); this hands one over to it. */
    private readonly openMobile?: (session: SessionDetail) => void,
  ) {
    super();
    this.banner.hidden = true;
    wireStage(this.stage, () => this.togglePlay(), () => this.view);
  }

  hook(): PlayerHook {
    return {
      ...commonHook(this),
      currentTime: () => this.currentTime(),
      loaded: () => !this.seeking && (this.feed?.covers(this.abs(this.currentTime())) ?? false),
      segments: () => {
        const win = this.feed?.window;
        return win && this.session ? this.session.segments.slice(win.base, win.last + 1).map((s) => s.n) : [];
      },
      iframe: () => this.replay?.iframe ?? null,
      currentUrl: () => this.replay?.hrefAt(this.abs(this.currentTime())) ?? null,
      idle: () => this.idle.map((s) => ({ ...s })),
      skips: () => this.skips,
    };
  }

  async start(): Promise<void> {
    this.actionsLoaded = Promise.resolve();
    await this.open();
    // Tests may rely on the actions and markers as soon as `ready` resolves.
    await this.actionsLoaded;
    this.ready.mark();
    if (!this.ticking && this.replay) {
      this.ticking = true;
      requestAnimationFrame(() => this.tick());
    }
  }

  /** Loads the session and its first chunk and shows the first frame (or says why not). */
  private async open(): Promise<void> {
    this.errorMessage = null;
    this.status = "loading";
    this.root.dataset.state = "loading";
    this.showStageOnly();
    // The server-rendered frame, at once (the opening script may have drawn it already: taken over here).
    const opening = window.reelOpening;
    this.firstFrame ??= opening?.firstFrame ?? FirstFrame.show(this.frame, this.stage);
    if (opening) opening.firstFrame = null;
    this.overlay.show({ kind: "loading", title: "Loading session…" });
    let session: SessionDetail;
    try {
      // The page carries the session's description (the API's, read once): no round trip before the segment.
      session = takeInlineSession(this.sessionId) ?? (await getSession(this.sessionId));
    } catch (err) {
      this.fail(err, () => void this.start());
      return;
    }
    this.session = session;
    if (session.platform === "mobile" && this.openMobile) return this.openMobile(session);
    this.build(session);
    this.actionsLoaded = this.loadActions(session);
    if (session.segments.length === 0) {
      this.setState("empty");
      this.overlay.show({
        kind: "empty",
        title: "No replay data",
        detail: "This session has no recorded page content yet.",
        link: { label: "Back to sessions", href: "/sessions" },
      });
      return;
    }
    const requested = Number.parseInt(new URLSearchParams(location.search).get("t") ?? "", 10);
    const deepLink = Number.isFinite(requested) && requested >= 0;
    // rrweb's own skipping only reacts while playing from before a stretch; Reel skips the server's idle
    // periods itself (maybeSkip), wherever playback starts.
    const options = (): ReplayOptions => ({ ...this.prefs, skipInactive: false });
    const listed = new Set<number>(); // segments whose console and network entries the devtools hold
    this.feed = SegmentFeed.forSession(session.id, session.segments, this.stage, this.frame, options, {
      replaced: (replay) => this.onReplaced(replay),
      grew: () => this.onGrew(),
      failed: (err) => this.onLoadError(err),
      loaded: (index, events) => {
        if (listed.has(index)) return;
        listed.add(index);
        this.view?.devtools.add(events);
      },
    });
    try {
      // A shared link loads the segment of its moment alone, never the recording up to it.
      await this.feed.prepare(this.abs(deepLink ? clamp(requested, 0, this.total) : 0), Number.NEGATIVE_INFINITY);
    } catch (err) {
      if (!this.reread && err instanceof ApiError && err.status === 404 && err.code === "not_found") {
        // Processing may have cut the recording into other windows since its description was read (the
        // events before its first segment became segment 0): read the description again, once.
        this.reread = true;
        this.feed.destroy();
        this.feed = null;
        return this.open();
      }
      this.fail(err, () => void this.restart());
      return;
    }
    if (!this.replay) {
      this.setState("empty");
      this.overlay.show({ kind: "empty", title: "No replay data", detail: "This session's beacons hold no events." });
      return;
    }
    if (deepLink) {
      await this.seek(requested, false); // a shared link opens paused at its moment
    } else {
      this.play();
    }
  }

  /** Fetches the actions for the list and the markers; never rejects (the list offers a retry). */
  private async loadActions(session: SessionDetail): Promise<void> {
    const panel = this.view?.panel;
    panel?.loading();
    try {
      const actions = await getActions(session.id);
      if (this.session !== session) return; // the page was reloaded meanwhile
      this.actions = actions;
      panel?.set(actions);
      this.view?.timeline.setMarkers(markersFor(actions, session.start, this.total));
    } catch (err) {
      if (this.session !== session) return;
      const why = err instanceof ApiError ? err.message : "";
      panel?.failed(`The actions could not be loaded. ${why}`.trim(), () => void this.loadActions(session));
    }
  }

  protected async restart(): Promise<void> {
    this.feed?.destroy();
    this.feed = null;
    await this.start();
  }

  // ---- view -------------------------------------------------------------------------------------------

  private showStageOnly(): void {
    // The frame stays where it is (a move would reload the first frame's iframe): the rest around it.
    for (const child of Array.from(this.stage.children)) if (child !== this.frame) child.remove();
    if (this.frame.parentNode !== this.stage) this.stage.prepend(this.frame);
    this.stage.append(this.overlay.element, this.notice.element, this.help.element);
    const slot = h("div");
    this.mount([h("div", { class: "viewer" }, slot)], slot);
  }

  /** Shows `children` in the page's root, the stage in place of `slot`, moved without leaving the page. */
  private mount(children: HTMLElement[], slot: HTMLElement): void {
    const old = Array.from(this.root.childNodes);
    this.root.append(...children);
    if (slot.parentNode) moveNode(slot.parentNode, this.stage, slot);
    slot.remove();
    for (const node of old) if (node.parentNode === this.root && !children.includes(node as HTMLElement)) node.remove();
  }

  private build(session: SessionDetail): void {
    document.title = `Session of ${formatDateTime(session.start)} · Reel`;
    this.idle = idleSpans(session.idle, session.start);
    const slot = h("div");
    this.view = new PlayerView(session, this.total, slot, this.banner, this.prefs, {
      scrub: (ms) => this.view?.controls.setTime(ms),
      seek: (ms) => void this.seek(ms, this.status === "playing" || this.status === "buffering"),
      selectAction: (action) => this.seekToAction(action),
      togglePlay: () => this.togglePlay(),
      seekBy: (delta) => this.seekBy(delta),
      setSpeed: (speed) => {
        this.prefs.speed = speed;
        this.replay?.setSpeed(speed);
        savePrefs(this.prefs);
      },
      setSkipInactive: (skip) => {
        this.prefs.skipInactive = skip;
        this.view?.controls.setSkipInactive(skip);
        savePrefs(this.prefs);
        this.notice.show(skip ? "Skipping inactivity" : "Not skipping inactivity", "skip-toggle");
      },
      copyLink: () => {
        this.sharedAt = Date.now();
        void copyLinkAt((this.position = this.currentTime()), this.notice);
      },
      ...stageKeys(this.help, () => this.view),
    });
    this.mount(this.view.children, slot);
  }

  protected setState(state: PlayerState): void {
    this.status = state;
    this.root.dataset.state = state;
    this.view?.controls.setPlaying(state === "playing" || state === "buffering");
    this.render();
  }

  /** Called every animation frame: moves the playhead and decides which overlay (if any) is due. */
  private tick(): void {
    this.render();
    if (this.status === "playing" || this.status === "buffering") this.feed?.advance(this.abs(this.position));
    const replay = this.replay;
    const at = this.abs(this.position);
    if (this.status === "playing" && !this.seeking && replay && at >= replay.lastEventTime - 1 && this.feed?.mustRoll(at)) {
      // rrweb says "finish" only when it plays the last event itself; one applied by an earlier seek never
      // does, and playback would wait there for good.
      this.onFinish();
    }
    requestAnimationFrame(() => this.tick());
  }

  protected render(): void {
    const session = this.session;
    if (!session || this.status === "error" || this.status === "empty") return;
    const ms = this.currentTime();
    if (this.maybeSkip(ms)) return;
    const at = this.abs(ms);
    if (!this.view?.timeline.isDragging) this.view?.controls.setTime(ms);
    this.view?.timeline.setPosition(ms);
    this.view?.urlbar.show(this.replay?.hrefAt(at) ?? null);
    this.view?.panel.setTime(at);
    this.view?.devtools.setTime(at);
    const message = stageMessage(session, this.replay, this.status, at, (to) => void this.seek(to, false));
    if (message) this.overlay.show(message);
    else this.overlay.hide();
    if (this.status === "playing" && Date.now() - this.sharedAt >= SHARE_EVERY_MS) this.shareTime();
  }

  /** Playing inside an idle period with skipping on: jump to just before activity resumes, and say so. */
  private maybeSkip(ms: number): boolean {
    if (!this.prefs.skipInactive || this.status !== "playing" || this.seeking) return false;
    const target = skipTarget(this.idle, ms, this.hold);
    if (target === null) return false;
    this.skips += 1;
    this.notice.show(`Skipped ${formatDuration(target - ms)} of inactivity`, "skip");
    void this.seek(target, true);
    return true;
  }

  /** Shows why the session cannot be played; `retry` reloads for failures that may pass. */
  protected fail(err: unknown, retry: () => void): void {
    this.feed?.stop();
    const content = errorContent(err, retry);
    this.errorMessage = content.detail ? `${content.title}: ${content.detail}` : content.title;
    this.status = "error";
    this.root.dataset.state = "error";
    this.replay?.pause();
    this.overlay.show(content);
  }

  /** Puts the paused position in the address bar (`?t=MS`), so the link opens this moment. */
  protected shareTime(): void {
    this.sharedAt = Date.now();
    shareTime(this.currentTime());
  }
}
