// The player of a mobile session: the device screen on a canvas, image after image (partial frames drawn
// over the picture before them), gestures drawn on top, with the same header, controls, seek bar and
// action list as the web player. Masking happened on the device, before the pixels were encoded; the
// player says that rules cannot be re-applied to them.
import { ApiError, getActions, type Action, type SessionDetail } from "../api";
import { h } from "../dom";
import { formatDateTime } from "../format";
import type { PlayerHook, PlayerState } from "../hook";
import { markersFor } from "../markers";
import { errorContent, gapContent } from "../messages";
import { Notice } from "../notice";
import { Overlay } from "../overlay";
import { loadPrefs, savePrefs, type Prefs } from "../prefs";
import { copyLinkAt, shareTime } from "../sharing";
import { ShortcutHelp } from "../shortcuts";
import { commonHook, readySignal, stageKeys, wireStage } from "../stage";
import { clamp, nextFrame } from "../util";
import { PlayerView } from "../view";
import { getMobileEvents } from "./api";
import { framesOf, viewAt, type MobileEvent } from "./events";
import { drawGestures } from "./gestures";
import { ImageCache } from "./images";
import { DeviceScreen } from "./screen";

/** With "skip inactivity", a stretch without events longer than this is jumped over. */
const IDLE_MS = 3_000;
const ACTION_LEAD_MS = 1_000;
export const MASKING_NOTE =
  "Recorded on the device as screenshots: sensitive views were masked on the device before capture. " +
  "Masking rules cannot be re-applied to these pixels.";

export class MobilePlayer {
  private events: MobileEvent[] = [];
  private screen: DeviceScreen | null = null;
  // Read by the test hook's common entries (../stage.ts).
  view: PlayerView | null = null;
  actions: Action[] = [];
  status: PlayerState = "loading";
  errorMessage: string | null = null;
  readonly ready = readySignal();
  private readonly overlay = new Overlay();
  private readonly notice = new Notice();
  private readonly help = new ShortcutHelp();
  private readonly canvas = h("canvas", { class: "mobile-screen", attrs: { "aria-label": "Device screen" } });
  private readonly stage = h("div", { class: "stage mobile-stage" });
  private readonly banner = h("div", { class: "banner" });
  private position = 0;
  private lastTick = 0;
  private painting = false;
  private skippedShown = 0;
  private readonly prefs: Prefs = loadPrefs();

  constructor(
    private readonly root: HTMLElement,
    private readonly session: SessionDetail,
  ) {
    this.banner.hidden = true;
    // The device screen fills the stage, scaled to fit whole (a tall phone in a wide stage, or turned).
    Object.assign(this.canvas.style, { position: "absolute", inset: "0", width: "100%", height: "100%", objectFit: "contain" });
    wireStage(this.stage, () => this.togglePlay(), () => this.view);
  }

  hook(): PlayerHook {
    return {
      ...commonHook(this),
      currentTime: () => this.position,
      loaded: () => this.screen !== null,
      iframe: () => null,
      currentUrl: () => viewAt(this.events, this.abs(this.position)),
      skippedFrames: () => this.screen?.skipped.size ?? 0,
    };
  }

  private get total(): number {
    return Math.max(0, this.session.end - this.session.start);
  }

  private abs(ms: number): number {
    return this.session.start + ms;
  }

  async start(): Promise<void> {
    document.title = `Mobile session of ${formatDateTime(this.session.start)} · Reel`;
    this.build();
    this.overlay.show({ kind: "loading", title: "Loading session…" });
    try {
      const [events, actions] = await Promise.all([
        getMobileEvents(this.session.id),
        getActions(this.session.id).catch(() => [] as Action[]),
      ]);
      this.events = events.sort((a, b) => a.timestamp - b.timestamp);
      this.actions = actions;
    } catch (err) {
      this.fail(err);
      this.ready.mark();
      return;
    }
    this.view?.panel.set(this.actions);
    this.view?.timeline.setMarkers(markersFor(this.actions, this.session.start, this.total));
    this.view?.timeline.setLoaded(0, this.total);
    const frames = framesOf(this.events);
    if (!frames.some((f) => f.full)) {
      this.setState("empty");
      this.overlay.show({ kind: "empty", title: "No screen recorded", detail: "This session holds no full frame yet." });
      this.ready.mark();
      return;
    }
    this.screen = new DeviceScreen(frames, new ImageCache(this.session.id));
    const requested = Number.parseInt(new URLSearchParams(location.search).get("t") ?? "", 10);
    await this.seek(Number.isFinite(requested) && requested >= 0 ? requested : 0, !(requested >= 0));
    this.ready.mark();
    requestAnimationFrame((now) => this.tick(now));
  }

  private build(): void {
    this.stage.replaceChildren(this.canvas, this.overlay.element, this.notice.element, this.help.element);
    this.view = new PlayerView(this.session, this.total, this.stage, this.banner, this.prefs, {
      scrub: (ms) => this.view?.controls.setTime(ms),
      seek: (ms) => void this.seek(ms, this.status === "playing"),
      selectAction: (action) => void this.seek(Math.max(0, action.ts - this.session.start - ACTION_LEAD_MS), true),
      togglePlay: () => this.togglePlay(),
      seekBy: (delta) => void this.seek(this.position + delta, this.status === "playing"),
      setSpeed: (speed) => {
        this.prefs.speed = speed;
        savePrefs(this.prefs);
      },
      setSkipInactive: (skip) => {
        this.prefs.skipInactive = skip;
        savePrefs(this.prefs);
      },
      copyLink: () => void copyLinkAt(this.position, this.notice),
      ...stageKeys(this.help, () => this.view),
    });
    const note = h("p", { class: "mobile-note", text: MASKING_NOTE, attrs: { role: "note" } });
    note.style.margin = "0";
    note.style.padding = "6px 12px";
    note.style.fontSize = "12px";
    this.root.dataset.platform = "mobile";
    this.root.replaceChildren(...this.view.children);
    this.stage.after(note);
  }

  // ---- playback ---------------------------------------------------------------------------------------

  private togglePlay(): void {
    if (this.status === "playing") {
      this.setState("paused");
      this.shareTime();
    } else if (this.status === "paused" || this.status === "ended") {
      if (this.status === "ended" || this.position >= this.total) this.position = 0;
      this.lastTick = performance.now();
      this.setState("playing");
    }
  }

  async seek(ms: number, play: boolean): Promise<void> {
    if (!this.screen || this.status === "error" || this.status === "empty") return;
    this.position = clamp(Number.isFinite(ms) ? ms : 0, 0, this.total);
    this.screen.prefetch(this.abs(this.position), this.abs(this.position) + 10_000);
    await this.paint();
    this.lastTick = performance.now();
    if (play && this.position < this.total) this.setState("playing");
    else {
      this.setState(this.position >= this.total ? "ended" : "paused");
      this.shareTime();
    }
    await nextFrame();
  }

  private tick(now: number): void {
    if (this.status === "playing") {
      let next = this.position + (now - this.lastTick) * this.prefs.speed;
      if (this.prefs.skipInactive) next = this.skipIdle(next);
      this.position = Math.min(next, this.total);
      if (this.position >= this.total) this.setState("ended");
      this.screen?.prefetch(this.abs(this.position), this.abs(this.position) + 5_000);
      void this.paint();
    }
    this.lastTick = now;
    this.render();
    requestAnimationFrame((t) => this.tick(t));
  }

  /** Jumps over a stretch without events: to just before the next one. */
  private skipIdle(next: number): number {
    const at = this.abs(next);
    const upcoming = this.events.find((e) => e.timestamp > at);
    if (upcoming && upcoming.timestamp - at > IDLE_MS) return upcoming.timestamp - this.session.start - 500;
    return next;
  }

  /** Draws the screen and the gestures at the current position onto the visible canvas. */
  private async paint(): Promise<void> {
    const screen = this.screen;
    if (!screen || this.painting) return;
    this.painting = true;
    try {
      const at = this.abs(this.position);
      await screen.render(at);
      this.noteSkipped(screen);
      const ctx = this.canvas.getContext("2d");
      if (!ctx || !screen.hasPicture) return;
      if (this.canvas.width !== screen.canvas.width || this.canvas.height !== screen.canvas.height) {
        this.canvas.width = screen.canvas.width;
        this.canvas.height = screen.canvas.height;
      }
      ctx.drawImage(screen.canvas, 0, 0);
      drawGestures(ctx, this.events, at, screen.scale);
    } catch (err) {
      this.showLoadProblem(err);
    } finally {
      this.painting = false;
    }
  }

  // ---- view -------------------------------------------------------------------------------------------

  private setState(state: PlayerState): void {
    this.status = state;
    this.root.dataset.state = state;
    this.view?.controls.setPlaying(state === "playing");
    this.render();
  }

  private render(): void {
    if (this.status === "error" || this.status === "empty") return;
    const at = this.abs(this.position);
    if (!this.view?.timeline.isDragging) this.view?.controls.setTime(this.position);
    this.view?.timeline.setPosition(this.position);
    this.view?.urlbar.show(viewAt(this.events, at));
    this.view?.panel.setTime(at);
    const gap = this.session.gaps.find((g) => g.start <= at && at < g.end);
    if (this.status === "loading") this.overlay.show({ kind: "loading", title: "Loading…" });
    else if (!this.screen?.hasPicture) {
      this.overlay.show({ kind: "no-snapshot", title: "No screen for this moment", detail: "The first full frame comes later." });
    } else if (gap) this.overlay.show(gapContent(this.session, gap));
    else this.overlay.hide();
  }

  /** Says, once they are found, that some frames could not be drawn (the rest of the session plays). */
  private noteSkipped(screen: DeviceScreen): void {
    if (screen.skipped.size === this.skippedShown) return;
    this.skippedShown = screen.skipped.size;
    let undecodable = 0;
    for (const reason of screen.skipped.values()) if (reason === "undecodable") undecodable++;
    const overBudget = screen.skipped.size - undecodable;
    const parts: string[] = [];
    if (undecodable) {
      parts.push(`${undecodable} frame image${undecodable === 1 ? "" : "s"} could not be decoded and ` +
        `${undecodable === 1 ? "is" : "are"} skipped (a whole screen that is missing shows grey).`);
    }
    if (overBudget) {
      parts.push(`${overBudget} partial frame${overBudget === 1 ? "" : "s"} past the pixel budget ` +
        `${overBudget === 1 ? "is" : "are"} skipped.`);
    }
    this.root.dataset.skippedFrames = String(screen.skipped.size);
    this.banner.replaceChildren(h("span", { class: "skipped-frames", text: parts.join(" ") }));
    this.banner.hidden = false;
  }

  private showLoadProblem(err: unknown): void {
    const why = err instanceof ApiError ? err.message : "A frame image could not be loaded.";
    this.banner.replaceChildren(h("span", { text: why }));
    this.banner.hidden = false;
  }

  private fail(err: unknown): void {
    const content = errorContent(err, () => location.reload());
    this.errorMessage = content.detail ? `${content.title}: ${content.detail}` : content.title;
    this.status = "error";
    this.root.dataset.state = "error";
    this.overlay.show(content);
  }

  private shareTime(): void {
    shareTime(this.position);
  }
}
