// The player page (/sessions/{id}?t=MS): loads the session's metadata, then its replay events chunk by
// chunk, and drives the replay, controls, timeline and overlays from one small state machine.
import type { eventWithTime } from "@rrweb/types";
import { ApiError, getSession, type SessionDetail } from "./api";
import { Controls } from "./controls";
import { h } from "./dom";
import { formatDateTime, shortUrl } from "./format";
import { ChunkLoader } from "./loader";
import { errorContent, gapContent, noSnapshotContent, sessionHeader } from "./messages";
import { Overlay } from "./overlay";
import { loadPrefs, savePrefs, type Prefs } from "./prefs";
import { Replay } from "./replay";
import { Timeline } from "./timeline";

export type PlayerState = "loading" | "playing" | "paused" | "buffering" | "ended" | "error" | "empty";

/** The test hook on `window.reelPlayer` (end-to-end tests seek and then read `iframe().contentDocument`). */
export interface PlayerHook {
  ready: Promise<void>;
  seek(ms: number): Promise<void>;
  currentTime(): number;
  state(): PlayerState;
  loaded(): boolean;
  iframe(): HTMLIFrameElement | null;
  /** The page URL at the current time (the href of the last Meta event at or before it). */
  currentUrl(): string | null;
  error(): string | null;
}

export class Player {
  private session: SessionDetail | null = null;
  private replay: Replay | null = null;
  private loader: ChunkLoader | null = null;
  private controls: Controls | null = null;
  private timeline: Timeline | null = null;
  private readonly overlay = new Overlay();
  private readonly urlText = h("span", { class: "url-text", text: "" });
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
  ) {
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    this.banner.hidden = true;
    // Clicking the picture plays or pauses, as in any video player (the replay iframe takes no input).
    this.stage.addEventListener("click", (event) => {
      if (event.target instanceof Element && event.target.closest(".overlay-card")) return;
      this.togglePlay();
    });
    // One listener for the page's lifetime; the controls it reaches are rebuilt when the page retries.
    document.addEventListener("keydown", (event) => this.controls?.handleKey(event));
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
    };
  }

  async start(): Promise<void> {
    this.errorMessage = null;
    this.status = "loading";
    this.root.dataset.state = "loading";
    this.root.replaceChildren(this.stageOnly());
    this.overlay.show({ kind: "loading", title: "Loading session…" });
    let session: SessionDetail;
    try {
      session = await getSession(this.sessionId);
    } catch (err) {
      this.fail(err, () => void this.start());
      this.markReady();
      return;
    }
    this.session = session;
    this.build(session);
    if (session.chunks.length === 0) {
      this.setState("empty");
      this.overlay.show({
        kind: "empty",
        title: "No replay data",
        detail: "This session has no recorded page content yet.",
        link: { label: "Back to sessions", href: "/sessions" },
      });
      this.markReady();
      return;
    }
    this.loader = ChunkLoader.forSession(
      this.sessionId,
      session.chunks,
      (events, index) => this.onChunk(events, index),
      (err) => this.onChunkError(err),
    );
    try {
      await this.loader.start();
      // A first chunk without events (all of them dropped by the server) defers the start to the next one.
      while (!this.replay && !this.loader.done) {
        await this.loader.waitFor(session.chunks[this.loader.deliveredCount].start);
      }
    } catch (err) {
      this.fail(err, () => void this.restart());
      this.markReady();
      return;
    }
    if (!this.replay) {
      this.setState("empty");
      this.overlay.show({ kind: "empty", title: "No replay data", detail: "This session's beacons hold no events." });
      this.markReady();
      return;
    }
    const requested = Number.parseInt(new URLSearchParams(location.search).get("t") ?? "", 10);
    if (Number.isFinite(requested) && requested >= 0) {
      await this.seek(requested, false); // a shared link opens paused at its moment
    } else {
      this.play();
    }
    this.markReady();
    if (!this.ticking) {
      this.ticking = true;
      requestAnimationFrame(() => this.tick());
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
  async seek(ms: number, play: boolean): Promise<void> {
    const replay = this.replay;
    const loader = this.loader;
    if (!replay || !loader || this.status === "error" || this.status === "empty") return;
    const token = ++this.seekToken;
    const target = clamp(Number.isFinite(ms) ? ms : 0, 0, this.total);
    if (this.status === "playing") replay.pause();
    this.position = target;
    this.seeking = true;
    this.timeline?.setPosition(target);
    this.controls?.setTime(target);
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

  // ---- loading ----------------------------------------------------------------------------------------

  private onChunk(events: eventWithTime[], index: number): void {
    if (!this.replay) {
      // rrweb needs at least one event to start; an empty first chunk just defers the start.
      if (events.length === 0) return;
      this.replay = new Replay(this.stage, this.frame, events, { ...this.prefs });
      this.replay.replayer.on("finish", () => this.onFinish());
    } else {
      this.replay.add(events);
    }
    this.frame.dataset.chunks = String(index + 1);
    if (this.loader) this.timeline?.setLoaded(this.loader.loadedUntil - (this.session?.start ?? 0));
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
    this.stage.replaceChildren(this.frame, this.overlay.element);
    return h("div", { class: "viewer" }, this.stage);
  }

  private build(session: SessionDetail): void {
    document.title = `Session of ${formatDateTime(session.start)} · Reel`;
    const total = this.total;
    const gaps = session.gaps.map((g) => ({
      from: g.start - session.start,
      to: g.end - session.start,
      fromSeq: g.from_seq,
      toSeq: g.to_seq,
    }));
    this.timeline = new Timeline(
      total,
      gaps,
      (ms) => this.controls?.setTime(ms),
      (ms) => this.seek(ms, this.status === "playing" || this.status === "buffering"),
    );
    this.controls = new Controls(
      this.timeline,
      total,
      {
        togglePlay: () => this.togglePlay(),
        seekBy: (delta) => this.seekBy(delta),
        setSpeed: (speed) => {
          this.prefs.speed = speed;
          this.replay?.setSpeed(speed);
          savePrefs(this.prefs);
        },
        setSkipInactive: (skip) => {
          this.prefs.skipInactive = skip;
          this.replay?.setSkipInactive(skip);
          savePrefs(this.prefs);
        },
      },
      { ...this.prefs },
    );
    this.urlText.textContent = shortUrl(session.first_url);
    const urlbar = h(
      "div",
      { class: "urlbar" },
      h("span", { class: "dots", attrs: { "aria-hidden": "true" } }, h("i"), h("i"), h("i")),
      h("span", { class: "url", attrs: { "aria-label": "Page URL at this moment" } }, this.urlText),
    );
    this.root.replaceChildren(
      sessionHeader(session),
      this.banner,
      h("div", { class: "viewer" }, urlbar, this.stage, this.controls.element),
    );
  }

  private setState(state: PlayerState): void {
    this.status = state;
    this.root.dataset.state = state;
    this.controls?.setPlaying(state === "playing" || state === "buffering");
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
    const at = this.abs(ms);
    if (!this.timeline?.isDragging) this.controls?.setTime(ms);
    this.timeline?.setPosition(ms);
    const href = this.replay?.hrefAt(at) ?? null;
    const shown = href === null ? "—" : shortUrl(href);
    if (this.urlText.textContent !== shown) {
      this.urlText.textContent = shown;
      this.urlText.title = href ?? "";
    }
    this.overlayFor(session, at);
  }

  private overlayFor(session: SessionDetail, at: number): void {
    if (this.status === "loading" || !this.replay) {
      this.overlay.show({ kind: "loading", title: "Loading…", detail: "Fetching the replay data for this moment." });
      return;
    }
    if (!this.replay.hasSnapshotAt(at)) {
      const next = this.replay.nextSnapshotAfter(at);
      const jumpTo = next === null ? null : next - session.start;
      this.overlay.show(noSnapshotContent(session, jumpTo, (ms) => void this.seek(ms, false)));
      return;
    }
    const gap = session.gaps.find((g) => g.start <= at && at < g.end);
    if (gap) {
      this.overlay.show(gapContent(session, gap));
      return;
    }
    if (this.status === "buffering") {
      this.overlay.show({ kind: "buffering", title: "Loading…" });
      return;
    }
    this.overlay.hide();
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
    const url = new URL(location.href);
    url.searchParams.set("t", String(Math.round(this.position)));
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
