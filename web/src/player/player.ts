// The player page (/sessions/{id}?t=MS): loads the session's metadata, then its replay events chunk by
// chunk and its actions, and drives the replay, controls, timeline, action list and overlays from one
// small state machine.
import type { eventWithTime } from "@rrweb/types";
import { ApiError, getActions, getSession, type Action, type SessionDetail } from "./api";
import { h } from "./dom";
import { formatDateTime, formatDuration } from "./format";
import type { PlayerHook, PlayerState } from "./hook";
import { ChunkLoader } from "./loader";
import { markersFor } from "./markers";
import { FirstFrame } from "./firstframe";
import { idleSpans, skipTarget, type Span } from "./idle";
import { errorContent, stageMessage } from "./messages";
import { Notice } from "./notice";
import { Overlay } from "./overlay";
import { loadPrefs, savePrefs, type Prefs } from "./prefs";
import { Replay } from "./replay";
import { copyLinkAt, shareTime, toggleFullscreen } from "./sharing";
import { ShortcutHelp } from "./shortcuts";
import { clamp, macrotask, nextFrame } from "./util";
import { PlayerView } from "./view";

/** Picking an action starts playback this long before it, so the operator sees it happen. */
const ACTION_LEAD_MS = 1000;
/** After picking an action, idle time is not skipped until this long after it. */
const ACTION_HOLD_MS = 1000;
/** While playing, the address bar's `?t=` follows the playhead, updated at most this often. */
const SHARE_EVERY_MS = 1000;

export class Player {
  private session: SessionDetail | null = null;
  private replay: Replay | null = null;
  private firstFrame: FirstFrame | null = null;
  private loader: ChunkLoader | null = null;
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
      loaded: () => this.loader?.done ?? false,
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
    this.loader = ChunkLoader.forSession(
      this.sessionId,
      session.segments,
      (events, index) => this.onChunk(events, index),
      (err) => this.onChunkError(err),
    );
    try {
      await this.loader.start();
      // A first chunk without events (all of them dropped by the server) defers the start to the next one.
      while (!this.replay && !this.loader.done) {
        await this.loader.waitFor(session.segments[this.loader.deliveredCount].start);
      }
    } catch (err) {
      this.fail(err, () => void this.restart());
      return;
    }
    if (!this.replay) {
      this.setState("empty");
      this.overlay.show({ kind: "empty", title: "No replay data", detail: "This session's beacons hold no events." });
      return;
    }
    const requested = Number.parseInt(new URLSearchParams(location.search).get("t") ?? "", 10);
    if (Number.isFinite(requested) && requested >= 0) {
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
    this.loader?.stop();
    this.replay?.destroy();
    this.replay = null;
    await this.start();
  }

  // ---- playback ---------------------------------------------------------------------------------------

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
    if (!replay || !this.loader || this.status === "error" || this.status === "empty") return;
    // At the end, play means "from the start again", as in any video player.
    if (this.status === "ended" || this.position >= this.total - 100) this.position = 0;
    if (this.loader.done && this.abs(this.position) >= replay.lastEventTime) {
      // Nothing left to replay (idle time after the last event): there is no event to end on, so end now.
      this.end();
      return;
    }
    if (!this.loader.covers(this.abs(this.position))) {
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
    const loader = this.loader;
    if (!replay || !loader || this.status === "error" || this.status === "empty") return;
    const token = ++this.seekToken;
    this.hold = hold;
    const target = clamp(Number.isFinite(ms) ? ms : 0, 0, this.total);
    if (this.status === "playing") replay.pause();
    this.position = target;
    this.seeking = true;
    this.view?.timeline.setPosition(target);
    this.view?.controls.setTime(target);
    if (!loader.covers(this.abs(target))) this.setState("loading");
    try {
      await loader.waitFor(this.abs(target));
      // rrweb files added events on a microtask; let them all land before it replays up to the target.
      await macrotask();
    } catch {
      if (token === this.seekToken) this.seeking = false;
      return; // onChunkError has already said what failed and offered a retry
    }
    if (token !== this.seekToken) return; // a newer seek took over
    this.seeking = false;
    if (play && !(loader.done && this.abs(target) >= replay.lastEventTime)) {
      replay.playFrom(this.abs(target));
      this.setState("playing");
    } else {
      replay.pauseAt(this.abs(target));
      this.setState(target >= this.total && loader.done ? "ended" : "paused");
      this.shareTime();
    }
    this.render();
    await nextFrame();
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

  private onChunk(events: eventWithTime[], index: number): void {
    if (!this.replay) {
      // rrweb needs at least one event to start; an empty first chunk just defers the start.
      if (events.length === 0) return;
      // rrweb's own skipping only reacts while playing from before a stretch; Reel skips the server's
      // idle periods itself (maybeSkip), wherever playback starts.
      this.replay = new Replay(this.stage, this.frame, events, { ...this.prefs, skipInactive: false });
      this.firstFrame?.handOver(this.replay.iframe);
      this.replay.replayer.on("finish", () => this.onFinish());
    } else {
      this.replay.add(events);
    }
    this.view?.devtools.add(events);
    this.frame.dataset.chunks = String(index + 1);
    if (this.loader) this.view?.timeline.setLoaded(this.loader.loadedUntil - (this.session?.start ?? 0));
    if (this.status === "buffering" && !this.seeking) {
      // Playback ran out of loaded events; carry on now that more arrived.
      void macrotask().then(() => {
        if (this.status === "buffering" && this.replay) {
          this.replay.playFrom(this.abs(this.position));
          this.setState("playing");
        }
      });
    }
  }

  /** rrweb reached its last loaded event while playing. */
  private onFinish(): void {
    if (this.status !== "playing" || this.seeking) return; // a sync replay to the end (a seek) also "finishes"
    if (this.loader && !this.loader.done) {
      this.position = this.currentTimeFromReplay();
      this.setState("buffering");
    } else {
      this.end();
    }
  }

  private currentTimeFromReplay(): number {
    return this.replay ? clamp(this.replay.now() - (this.session?.start ?? 0), 0, this.total) : this.position;
  }

  private onChunkError(err: unknown): void {
    if (err instanceof ApiError && !err.isNetwork) {
      // The session went away (or access did) while loading: that is the page's answer now.
      this.fail(err, () => void this.restart());
      return;
    }
    const retry = h("button", { class: "button", text: "Retry", attrs: { type: "button" } });
    retry.addEventListener("click", () => {
      this.banner.hidden = true;
      this.loader?.retry();
      // A seek that was waiting for the failed chunk gave up; ask again (playback resumes by itself).
      if (this.status === "loading") void this.seek(this.position, false);
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
    this.loader?.stop();
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
