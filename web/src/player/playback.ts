// The web player's playback over the segment feed (feed.ts): play, pause and seek on the replayer, and
// carry on when it runs out of loaded events (the next segment follows on, or the feed rolls over). The
// page around it (player.ts) opens the session, builds the view and renders the position.
import { ApiError, type Action, type SessionDetail } from "./api";
import { h } from "./dom";
import { SegmentFeed, mark } from "./feed";
import type { FirstFrame } from "./firstframe";
import type { PlayerState } from "./hook";
import type { Replay } from "./replay";
import { clamp } from "./util";
import type { PlayerView } from "./view";

/** Picking an action starts playback this long before it, so the operator sees it happen. */
const ACTION_LEAD_MS = 1000;
/** After picking an action, idle time is not skipped until this long after it. */
const ACTION_HOLD_MS = 1000;
/** A "finish" this far before the replayer's last event was armed before it started over. */
const STALE_FINISH_MS = 1000;

export abstract class Playback {
  protected session: SessionDetail | null = null;
  protected firstFrame: FirstFrame | null = null;
  protected feed: SegmentFeed | null = null;
  /** The replayer whose "finish" this player listens to. */
  private listening: Replay | null = null;
  /** Bumped by every resumption of playback after the replayer ran out of events. */
  private resumeToken = 0;
  /** Read by the test hook's common entries (stage.ts). */
  view: PlayerView | null = null;
  status: PlayerState = "loading";
  /** No skipping before this position (an action picked in the list is shown first). */
  protected hold = Number.NEGATIVE_INFINITY;
  /** The replay's frame: the one the opening script drew the first frame in, when it ran (opening.ts). */
  protected readonly frame = window.reelOpening?.frame ?? h("div", { class: "frame" });
  protected readonly banner = h("div", { class: "banner" });
  /** Milliseconds from the session start; authoritative whenever the replay is not playing. */
  protected position = 0;
  /** Bumped by every seek, so a seek that waited for data gives way to a newer one. */
  private seekToken = 0;
  protected seeking = false;

  protected abstract setState(state: PlayerState): void;
  protected abstract render(): void;
  /** Puts the paused position in the address bar. */
  protected abstract shareTime(): void;
  /** Shows why the session cannot be played; `retry` reloads for failures that may pass. */
  protected abstract fail(err: unknown, retry: () => void): void;
  /** Loads the session again from the start (its feed dropped). */
  protected abstract restart(): Promise<void>;

  protected get replay(): Replay | null {
    return this.feed?.replay ?? null;
  }

  protected get total(): number {
    return this.session ? Math.max(0, this.session.end - this.session.start) : 0;
  }

  protected abs(ms: number): number {
    return (this.session?.start ?? 0) + ms;
  }

  protected currentTime(): number {
    if (this.status === "playing" && this.replay && !this.seeking) {
      this.position = clamp(this.replay.now() - (this.session?.start ?? 0), 0, this.total);
    }
    return this.position;
  }

  protected togglePlay(): void {
    if (this.status === "playing" || this.status === "buffering") this.pause();
    else this.play();
  }

  protected play(): void {
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

  protected seekBy(delta: number): void {
    const resume = this.status === "playing" || this.status === "buffering";
    void this.seek(this.currentTime() + delta, resume);
  }

  /** Plays from just before the action, so the operator sees it happen. */
  protected seekToAction(action: Action): void {
    const start = this.session?.start ?? 0;
    void this.seek(Math.max(0, action.ts - start - ACTION_LEAD_MS), true, action.ts - start + ACTION_HOLD_MS);
  }

  // ---- loading ----------------------------------------------------------------------------------------

  /** A new replayer took over (the first one, or one started from a segment's head). */
  protected onReplaced(replay: Replay): void {
    // The server-rendered first frame stays up until the first replayer has drawn its page.
    this.firstFrame?.handOver(replay.iframe);
    this.firstFrame = null;
    // The feed keeps one replayer and starts it over at each jump: listen to it once.
    if (this.listening !== replay) replay.replayer.on("finish", () => this.onFinish());
    this.listening = replay;
    this.showLoaded();
  }

  /** The next segment followed on: playback that ran out of events carries on. */
  protected onGrew(): void {
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
  protected onFinish(): void {
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

  protected onLoadError(err: unknown): void {
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
}
