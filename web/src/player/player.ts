// The player page (/sessions/{id}?t=MS): loads the session's metadata, its actions and the segments of
// replay events around the playhead (feed.ts), and drives the replay, controls, timeline, action list and
// overlays from one small state machine.
import { ApiError, getActions, getSession, type Action, type SessionDetail } from "./api";
import { h } from "./dom";
import { formatDateTime, formatDuration } from "./format";
import type { PlayerHook, PlayerState } from "./hook";
import { SegmentFeed, mark } from "./feed";
import { markersFor } from "./markers";
import { FirstFrame } from "./firstframe";
import { idleSpans, skipTarget, type Span } from "./idle";
import { errorContent, stageMessage } from "./messages";
import { Notice } from "./notice";
import { Overlay } from "./overlay";
import { loadPrefs, savePrefs, type Prefs } from "./prefs";
import type { Replay, ReplayOptions } from "./replay";
import { copyLinkAt, shareTime, toggleFullscreen } from "./sharing";
import { ShortcutHelp } from "./shortcuts";
import { clamp } from "./util";
import { PlayerView } from "./view";

/** Picking an action starts playback this long before it, so the operator sees it happen. */
const ACTION_LEAD_MS = 1000;
/** After picking an action, idle time is not skipped until this long after it. */
const ACTION_HOLD_MS = 1000;
/** A "finish" this far before the replayer's last event was armed before it started over. */
const STALE_FINISH_MS = 1000;
/** While playing, the address bar's `?t=` follows the playhead, updated at most this often. */
const SHARE_EVERY_MS = 1000;

export class Player {
  private session: SessionDetail | null = null;
  private firstFrame: FirstFrame | null = null;
  private feed: SegmentFeed | null = null;
  /** The replayer whose "finish" this player listens to. */
  private listening: Replay | null = null;
  /** Bumped by every resumption of playback after the replayer ran out of events. */
  private resumeToken = 0;
  private view: PlayerView | null = null;
  private actions: Action[] = [];
  private actionsLoaded: Promise<void> = Promise.resolve();
  private readonly overlay = new Overlay();
  private readonly notice = new Notice();
  private readonly help = new ShortcutHelp();
  /** The session's idle periods (ms from its start), skipped while playing when the toggle is on. */
  private idle: Span[] = [];
  /** No skipping before this position (an action picked in the list is shown first). */
  private hold = Number.NEGATIVE_INFINITY;
  private skips = 0;
  private sharedAt = 0;
  private readonly stage = h("div", { class: "stage" });
  private readonly frame = h("div", { class: "frame" });
  private readonly banner = h("div", { class: "banner" });
  private status: PlayerState = "loading";
  private errorMessage: string | null = null;
  /** Milliseconds from the session start; authoritative whenever the replay is not playing. */
  private position = 0;
  /** Bumped by every seek, so a seek that waited for data gives way to a newer one. */
  private seekToken = 0;
  private seeking = false;
  private ticking = false;
  private readonly prefs: Prefs = loadPrefs();
  private readonly readyPromise: Promise<void>;
  private markReady: () => void = () => {};

  constructor(
    private readonly root: HTMLElement,
    private readonly sessionId: string,
    /** Mobile sessions have their own player (./mobile/player.ts); this hands one over to it. */
    private readonly openMobile?: (session: SessionDetail) => void,
  ) {
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    this.banner.hidden = true;
    // Clicking the picture plays or pauses, as in any video player (the replay iframe takes no input).
    this.stage.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest(".overlay-card")) return;
      this.togglePlay();
    });
    // One listener for the page's lifetime; the controls it reaches are rebuilt when the page retries.
    document.addEventListener("keydown", (event) => this.view?.controls.handleKey(event));
  }

  hook(): PlayerHook {
    return {
      ready: this.readyPromise,
      // Waits for the first render, so a test may seek as soon as the hook exists.
      seek: async (ms) => {
        await this.readyPromise;
        await this.seek(ms, false);
      },
      currentTime: () => this.currentTime(),
      state: () => this.status,
      loaded: () => !this.seeking && (this.feed?.covers(this.abs(this.currentTime())) ?? false),
      segments: () => {
        const win = this.feed?.window;
        return win && this.session ? this.session.segments.slice(win.base, win.last + 1).map((s) => s.n) : [];
      },
      iframe: () => this.replay?.iframe ?? null,
      currentUrl: () => this.replay?.hrefAt(this.abs(this.currentTime())) ?? null,
      error: () => this.errorMessage,
      actions: () => this.actions.map((a) => ({ ts: a.ts, kind: a.kind })),
      markers: () => this.view?.timeline.markerCount ?? 0,
      idle: () => this.idle.map((s) => ({ ...s })),
      skips: () => this.skips,
    };
  }

  async start(): Promise<void> {
    this.actionsLoaded = Promise.resolve();
    await this.open();
    // Tests may rely on the actions and markers as soon as `ready` resolves.
    await this.actionsLoaded;
    this.markReady();
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
    this.root.replaceChildren(this.stageOnly());
    this.firstFrame ??= FirstFrame.show(this.frame, this.stage); // the server-rendered opening, at once
    this.overlay.show({ kind: "loading", title: "Loading session…" });
    let session: SessionDetail;
    try {
      session = await getSession(this.sessionId);
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

  private async restart(): Promise<void> {
    this.feed?.destroy();
    this.feed = null;
    await this.start();
  }

  // ---- playback ---------------------------------------------------------------------------------------

  private get replay(): Replay | null {
    return this.feed?.replay ?? null;
  }

  private get total(): number {
    return this.session ? Math.max(0, this.session.end - this.session.start) : 0;
  }

  private abs(ms: number): number {
    return (this.session?.start ?? 0) + ms;
  }

  private currentTime(): number {
    if (this.status === "playing" && this.replay && !this.seeking) {
      this.position = clamp(this.replay.now() - (this.session?.start ?? 0), 0, this.total);
    }
    return this.position;
  }

  private togglePlay(): void {
    if (this.status === "playing" || this.status === "buffering") this.pause();
    else this.play();
  }

  private play(): void {
    const replay = this.replay;
    const feed = this.feed;
    if (!replay || !feed || this.status === "error" || this.status === "empty") return;
    // At the end, play means "from the start again", as in any video player.
    if (this.status === "ended" || this.position >= this.total - 100) this.position = 0;
    if (feed.done && this.abs(this.position) >= replay.lastEventTime) {
      // Nothing left to replay (idle time after the last event): there is no event to end on, so end now.
      this.end();
      return;
    }
    if (!feed.covers(this.abs(this.position))) {
      void this.seek(this.position, true);
      return;
    }
    replay.playFrom(this.abs(this.position));
    this.setState("playing");
  }

  private pause(): void {
    if (this.status === "playing") {
      this.position = this.currentTime();
      this.replay?.pause();
    }
    if (this.status === "playing" || this.status === "buffering") this.setState("paused");
    this.shareTime();
  }

  private end(): void {
    this.replay?.pause();
    this.position = this.total;
    this.setState("ended");
  }

  /**
   * Moves to `ms` after the session start and shows that state. Resolves once the replay iframe holds it,
   * waiting for the chunks it needs ("loading…" meanwhile). `play` resumes playback from there.
   */
  async seek(ms: number, play: boolean, hold = Number.NEGATIVE_INFINITY): Promise<void> {
    const replay = this.replay;
    const feed = this.feed;
    if (!replay || !feed || this.status === "error" || this.status === "empty") return;
    const token = ++this.seekToken;
    this.hold = hold;
    const target = clamp(Number.isFinite(ms) ? ms : 0, 0, this.total);
    if (this.status === "playing") replay.pause();
    // Where the replayer is: from there it goes forward cheaply, back only from its head.
    const from = this.seeking ? Number.NEGATIVE_INFINITY : replay.now();
    this.position = target;
    this.seeking = true;
    this.view?.timeline.setPosition(target);
    this.view?.controls.setTime(target);
    if (!feed.covers(this.abs(target))) this.setState("loading");
    try {
      if (!(await feed.prepare(this.abs(target), from))) return; // a newer seek took over
    } catch (err) {
      if (token === this.seekToken) {
        this.seeking = false;
        this.onLoadError(err);
      }
      return;
    }
    if (token !== this.seekToken) return; // a newer seek took over
    this.seeking = false;
    const now = this.replay;
    if (!now) return;
    mark("reel:seek-applying");
    if (play && !(feed.done && this.abs(target) >= now.lastEventTime)) {
      now.playFrom(this.abs(target));
      this.setState("playing");
    } else {
      now.pauseAt(this.abs(target));
      this.setState(target >= this.total && feed.done ? "ended" : "paused");
      this.shareTime();
    }
    // The iframe holds the target state now; the browser paints it with its next frame (no wait here).
    this.render();
  }

  private seekBy(delta: number): void {
    const resume = this.status === "playing" || this.status === "buffering";
    void this.seek(this.currentTime() + delta, resume);
  }

  /** Plays from just before the action, so the operator sees it happen. */
  private seekToAction(action: Action): void {
    const start = this.session?.start ?? 0;
    void this.seek(Math.max(0, action.ts - start - ACTION_LEAD_MS), true, action.ts - start + ACTION_HOLD_MS);
  }

  // ---- loading ----------------------------------------------------------------------------------------

  /** A new replayer took over (the first one, or one started from a segment's head). */
  private onReplaced(replay: Replay): void {
    // The server-rendered first frame stays up until the first replayer has drawn its page.
    this.firstFrame?.handOver(replay.iframe);
    this.firstFrame = null;
    // The feed keeps one replayer and starts it over at each jump: listen to it once.
    if (this.listening !== replay) replay.replayer.on("finish", () => this.onFinish());
    this.listening = replay;
    this.showLoaded();
  }

  /** The next segment followed on: playback that ran out of events carries on. */
  private onGrew(): void {
    this.showLoaded();
    if (this.status === "buffering" && !this.seeking) void this.resume();
  }

  private showLoaded(): void {
    const range = this.feed?.loadedRange;
    const start = this.session?.start ?? 0;
    if (range) this.view?.timeline.setLoaded(range.from - start, range.to - start);
    const win = this.feed?.window;
    if (win) this.frame.dataset.segments = `${win.base}-${win.last}`;
  }

  /** rrweb reached its last loaded event while playing. */
  private onFinish(): void {
    if (this.status !== "playing" || this.seeking) return; // a sync replay to the end (a seek) also "finishes"
    const replay = this.replay;
    if (replay && replay.now() < replay.lastEventTime - STALE_FINISH_MS) {
      // rrweb's end-of-events timer outlives a restart of the replayer (feed.ts): one armed before a jump
      // stops the playback that followed mid-way. Play on from there.
      replay.playFrom(replay.now());
      return;
    }
    const feed = this.feed;
    if (!feed || feed.done) {
      this.end();
      return;
    }
    // Nothing is recorded between the window's last event and the next segment: go on from there.
    const next = feed.nextStart;
    const at = this.currentTimeFromReplay();
    this.position = next === null ? at : Math.max(at, next - (this.session?.start ?? 0));
    this.setState("buffering");
    void this.resume();
  }

  /** Plays on from `position` once the replayer holds it (the next segment followed on, or rolled over). */
  private async resume(): Promise<void> {
    const feed = this.feed;
    if (!feed) return;
    const token = ++this.resumeToken;
    try {
      if (!(await feed.prepare(this.abs(this.position), this.abs(this.position)))) return;
    } catch (err) {
      this.onLoadError(err);
      return;
    }
    if (token !== this.resumeToken || this.status !== "buffering" || this.seeking || !this.replay) return;
    // rrweb files added events on a microtask; prepare has let them land.
    this.replay.playFrom(this.abs(this.position));
    this.setState("playing");
  }

  private currentTimeFromReplay(): number {
    return this.replay ? clamp(this.replay.now() - (this.session?.start ?? 0), 0, this.total) : this.position;
  }

  private onLoadError(err: unknown): void {
    if (err instanceof ApiError && !err.isNetwork) {
      // The session went away (or access did) while loading: that is the page's answer now.
      this.fail(err, () => void this.restart());
      return;
    }
    const retry = h("button", { class: "button", text: "Retry", attrs: { type: "button" } });
    retry.addEventListener("click", () => {
      this.banner.hidden = true;
      this.feed?.retry();
      // A seek or playback that was waiting for the failed segment gave up; ask again.
      if (this.status === "loading") void this.seek(this.position, false);
      else if (this.status === "buffering") void this.resume();
    });
    this.banner.replaceChildren(h("span", { text: "Some replay data could not be loaded." }), retry);
    this.banner.hidden = false;
  }

  // ---- view -------------------------------------------------------------------------------------------

  private stageOnly(): HTMLElement {
    this.stage.replaceChildren(this.frame, this.overlay.element, this.notice.element, this.help.element);
    return h("div", { class: "viewer" }, this.stage);
  }

  private build(session: SessionDetail): void {
    document.title = `Session of ${formatDateTime(session.start)} · Reel`;
    this.idle = idleSpans(session.idle, session.start);
    this.view = new PlayerView(session, this.total, this.stage, this.banner, this.prefs, {
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
      toggleFullscreen: () => toggleFullscreen(this.view?.viewer),
      toggleHelp: () => this.help.toggle(),
      closeHelp: () => {
        const open = this.help.open;
        this.help.hide();
        return open;
      },
    });
    this.root.replaceChildren(...this.view.children);
  }

  private setState(state: PlayerState): void {
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

  private render(): void {
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
  private fail(err: unknown, retry: () => void): void {
    this.feed?.stop();
    const content = errorContent(err, retry);
    this.errorMessage = content.detail ? `${content.title}: ${content.detail}` : content.title;
    this.status = "error";
    this.root.dataset.state = "error";
    this.replay?.pause();
    this.overlay.show(content);
  }

  /** Puts the paused position in the address bar (`?t=MS`), so the link opens this moment. */
  private shareTime(): void {
    this.sharedAt = Date.now();
    shareTime(this.currentTime());
  }
}
