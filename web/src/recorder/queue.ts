// The outbox: beacons cut but not yet acknowledged, sent in seq order with per-beacon retries.
import { keepaliveSize, type Beacon } from "./beacon";
import {
  KEEPALIVE_BODY_MAX, KEEPALIVE_QUOTA, KEEPALIVE_RESERVE, MAX_ATTEMPTS, MAX_QUEUED_BYTES,
} from "./config";
import { backoff, canGzip, gzip, post, type Outcome } from "./transport";

/**
 * The URL of one attempt, stamped with the clock now. The body keeps the time it was cut (`sent_at`), and a
 * retry or a stash resent by the next page may come hours later: the server measures the browser's clock
 * from this stamp, so a late beacon is not taken for a wrong clock (docs/contracts/web-beacon.md).
 */
export function stamped(url: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}sent_at=${Date.now()}`;
}

/** Delivers beacons: one ordinary request at a time, lowest due seq first, never blocked by a failing one. */
export class Outbox {
  private readonly beacons: Beacon[] = [];
  private active = 0;
  private keepaliveBytes = 0;
  /** No ordinary request before this time: set by Retry-After and by network failures. */
  private gate = 0;
  private networkFailures = 0;
  private timer: ReturnType<typeof setTimeout> | 0 = 0;
  private warned = false;

  constructor(private readonly url: string, private readonly gzipUrl: string) {}

  /** Beacons not yet acknowledged or given up. */
  get size(): number {
    return this.beacons.length;
  }

  /** Queues a beacon; `send` compresses it and lets the pump deliver it, else the caller calls sendNow. */
  add(b: Beacon, send: boolean): void {
    this.beacons.push(b);
    this.evictOverflow();
    if (send) {
      this.compress(b);
      this.pump();
    }
  }

  /** Resolves once every beacon queued now was acknowledged or failed for good. */
  whenSettled(): Promise<void> {
    return Promise.all(this.beacons.map((b) => b.settled)).then(() => undefined);
  }

  /**
   * Sends every beacon not in flight right now, without awaiting anything (page hidden or unloading).
   * Bodies go with keepalive while Chromium's 64 KiB in-flight quota allows; on pagehide the rest go by
   * ordinary fetch at once (and are returned: the unload may cancel them), otherwise they stay queued for
   * the normal, compressed path.
   */
  sendNow(unloading: boolean): Beacon[] {
    const quota = KEEPALIVE_QUOTA - (unloading ? 0 : KEEPALIVE_RESERVE);
    const risky: Beacon[] = [];
    for (const b of this.beacons.slice()) {
      if (b.inflight) {
        if (unloading && !b.keepalive) risky.push(b);
        continue;
      }
      const size = keepaliveSize(b);
      if (size <= KEEPALIVE_BODY_MAX && this.keepaliveBytes + size <= quota) {
        this.transmit(b, size);
      } else if (unloading) {
        this.transmit(b, 0);
        risky.push(b);
      } else {
        this.compress(b);
      }
    }
    if (!unloading) this.pump();
    return risky;
  }

  /** Drops everything unsent and aborts requests in flight (consent withdrawn). */
  clear(): void {
    for (const b of this.beacons.splice(0)) {
      b.inflight?.abort();
      b.settle();
    }
  }

  /** Retries sooner when the browser reports that the network is back. */
  online(): void {
    this.gate = 0;
    for (const b of this.beacons) b.notBefore = 0;
    this.pump();
  }

  /** Gzips the body in the background where the browser can; the pump waits for it. */
  private compress(b: Beacon): void {
    const text = b.body;
    if (b.compressing || b.gz || !text || !canGzip()) return;
    b.compressing = true;
    gzip(text).then(
      (gz) => {
        b.gz = gz;
        b.body = null;
      },
      () => undefined, // Keep the plain body; it is sent uncompressed.
    ).finally(() => {
      b.compressing = false;
      this.pump();
    });
  }

  /** Starts the next due request, or sleeps until one is due. */
  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = 0;
    if (this.active > 0) return; // One at a time keeps arrival in seq order; settling pumps again.
    const now = Date.now();
    let wake = this.gate > now ? this.gate : Infinity;
    if (wake === Infinity) {
      for (const b of this.beacons) {
        if (b.inflight) continue;
        if (b.compressing) return; // Wait for the head rather than overtake it; compression pumps again.
        if (b.notBefore <= now) {
          this.transmit(b, 0);
          return;
        }
        wake = Math.min(wake, b.notBefore);
      }
    }
    if (wake !== Infinity) this.timer = setTimeout(() => this.pump(), wake - now);
  }

  /** Sends one beacon; `keepaliveBytes` > 0 sends it with keepalive and counts it against the quota. */
  private transmit(b: Beacon, keepaliveBytes: number): void {
    const abort = new AbortController();
    b.inflight = abort;
    b.keepalive = keepaliveBytes > 0;
    this.active++;
    this.keepaliveBytes += keepaliveBytes;
    const body = b.gz ?? b.body ?? "";
    post(stamped(b.gz ? this.gzipUrl : this.url), body, keepaliveBytes > 0, abort).then((outcome) => {
      this.active--;
      this.keepaliveBytes -= keepaliveBytes;
      if (b.inflight === abort) b.inflight = null;
      this.settle(b, outcome);
      this.pump();
    });
  }

  /** Applies one attempt's outcome: forget the beacon, or schedule its retry. */
  private settle(b: Beacon, outcome: Outcome): void {
    if (!this.beacons.includes(b)) return; // Cleared meanwhile.
    if (outcome.status !== 0) this.networkFailures = 0;
    if (outcome.kind === "ok") return this.remove(b);
    if (outcome.kind === "drop") return this.giveUp(b, `HTTP ${outcome.status}`);
    const now = Date.now();
    // Attempts made while the browser is offline do not count towards giving up.
    if (outcome.status !== 0 || navigator.onLine !== false) b.attempts++;
    if (b.attempts >= MAX_ATTEMPTS) return this.giveUp(b, `${b.attempts} failed attempts`);
    b.notBefore = now + (outcome.afterMs ?? backoff(b.attempts));
    if (outcome.afterMs !== null) {
      this.gate = Math.max(this.gate, now + outcome.afterMs); // The server asked every request to wait.
    } else if (outcome.status === 0) {
      this.gate = now + backoff(++this.networkFailures); // The network is likely down for all beacons.
    }
  }

  private giveUp(b: Beacon, why: string): void {
    if (!this.warned) {
      this.warned = true;
      console.warn(`reel: beacon ${b.seq} dropped (${why}); later drops are not logged`);
    }
    this.remove(b);
  }

  private remove(b: Beacon): void {
    const i = this.beacons.indexOf(b);
    if (i >= 0) this.beacons.splice(i, 1);
    b.settle();
  }

  /** Keeps the queue within MAX_QUEUED_BYTES by dropping the oldest beacons not in flight. */
  private evictOverflow(): void {
    let total = 0;
    for (const b of this.beacons) total += b.gz ? b.gz.byteLength : (b.body ?? "").length;
    for (const b of this.beacons.slice()) {
      if (total <= MAX_QUEUED_BYTES) return;
      if (b.inflight) continue;
      total -= b.gz ? b.gz.byteLength : (b.body ?? "").length;
      this.giveUp(b, "queue full");
    }
  }
}
