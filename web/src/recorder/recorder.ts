// The recorder: runs rrweb, buffers its events, rotates idle sessions and cuts the buffer into beacons.
import { record } from "@rrweb/record";
import type { eventWithTime } from "@rrweb/types";
import { userContext } from "./context";
import { envelope, newBeacon, splitBySize, utf8Length, type Beacon } from "./beacon";
import { FLUSH_AT_CHARS, FLUSH_INTERVAL_MS, KEEPALIVE_BODY_MAX } from "./config";
import { customEvent, isInteraction } from "./events";
import { JsonWriter } from "./json";
import type { TabState } from "./ids";
import { maskText } from "./mask";
import type { Outbox } from "./queue";
import { compile, type Policy } from "./rules";
import { FULL_SNAPSHOT } from "./rrweb";
import { maskLater, scrub } from "./scrub";

/** Every input, select and textarea value is masked under every preset (the contract's "input values"). */
const MASK_INPUTS = { input: true, textarea: true, select: true } as Record<string, boolean>;
/** At most this many identify/event calls are held while recording waits for consent or the rules. */
const MAX_EARLY = 100;
/** A serialisation task yields to the page after this long (a long task starts at 50 ms). */
const SLICE_MS = 20;
/**
 * Events other than full snapshots and the app's own calls wait up to this long to be serialised, together
 * in one task: a task per event (each keystroke, scroll, console message) cost the page more in tasks than
 * in serialising. Their strings were masked when they were captured.
 */
const SERIALIZE_AFTER_MS = 1_000;

/** Buffers events and turns them into numbered beacons for the outbox. */
export class Recorder {
  /** Set before record() is called: rrweb emits the first full snapshot before record() returns. */
  private active = false;
  private stopRrweb: (() => void) | null = null;
  /** Cancels a start still waiting for the page's `load`. */
  private cancelStart: (() => void) | null = null;
  /** Events already serialised, oldest first. */
  private parts: string[] = [];
  /** identify/event calls made before recording started, in memory only; added when it starts. */
  private early: Array<[string, unknown]> = [];
  /** Events awaiting serialisation in a task of their own (keeps JSON.stringify out of rrweb's tasks). */
  private raw: eventWithTime[] = [];
  /** How many of `raw` are serialised or being serialised (by `writer`). */
  private rawAt = 0;
  /** The event being serialised in slices (a large full snapshot), if any. */
  private writer: JsonWriter | null = null;
  private chars = 0;
  /** The user context, until a beacon carries it (the first of each page and recorder session). */
  private context: string | null = null;
  private flushTimer: ReturnType<typeof setTimeout> | 0 = 0;
  private serializeTimer: ReturnType<typeof setTimeout> | 0 = 0;
  /** When the pending serialisation task runs (performance.now() time). */
  private serializeAt = 0;
  /** The rules applied to what is captured; set by start(). */
  policy: Policy = compile(null);

  constructor(private readonly tab: TabState, private readonly outbox: Outbox) {}

  /** Whether rrweb is recording. */
  get recording(): boolean {
    return this.active;
  }

  /** Events buffered and not yet cut into a beacon. */
  get buffered(): number {
    return this.parts.length + this.raw.length - this.rawAt + (this.writer ? 1 : 0);
  }

  /**
   * Starts rrweb under these rules (a full snapshot, incremental events after). While the page is still
   * loading, rrweb would wait for `load` and snapshot inside that event's task, on the page's critical path;
   * the snapshot is taken in a task of its own just after `load` instead (rrweb's DomContentLoaded and Load
   * events, which only mark that wait, are then not recorded).
   */
  start(policy: Policy): void {
    if (this.active) return;
    this.active = true;
    this.policy = policy;
    this.takeContext();
    if (document.readyState !== "loading") return this.startRrweb();
    let timer: ReturnType<typeof setTimeout> | 0 = 0;
    const loaded = (): void => {
      timer = setTimeout(() => {
        this.cancelStart = null;
        this.startRrweb();
      }, 0);
    };
    addEventListener("load", loaded, { once: true });
    this.cancelStart = () => {
      removeEventListener("load", loaded);
      if (timer) clearTimeout(timer);
    };
  }

  private startRrweb(): void {
    try {
      this.stopRrweb = record({
        emit: (e: eventWithTime) => this.onRrwebEvent(e),
        // rrweb masks text and input values (maskTextFn sees all text, so detectors reach shown text);
        // scrub() masks the rest: attributes, URLs, CSS, images, srcdoc, shadow-root text.
        maskInputOptions: MASK_INPUTS,
        maskInputFn: maskText,
        maskTextSelector: "*",
        maskTextFn: this.policy.text,
        blockSelector: this.policy.block || undefined,
        // Defaults kept on purpose: style sheets inlined; no image inlining, canvas or font capture
        // (pixels and data URLs cannot be masked).
        // Scripts, comments, favicons, head whitespace and most meta tags are left out (rrweb's `true`; the
        // author and description metas it keeps are masked as attributes).
        slimDOMOptions: true,
        // rrweb reports errors inside its observers here; swallowing them keeps the host page unaffected.
        errorHandler: () => true,
      }) ?? null;
    } catch {
      this.stopRrweb = null; // rrweb failed to start: not recording, and the page carries on.
    }
    // rrweb declines some contexts (e.g. no document): then, too, we are not recording.
    if (!this.stopRrweb) this.active = false;
    // Calls made while consent or the rules were pending, stamped now: after the first full snapshot.
    for (const [tag, payload] of this.active ? this.early.splice(0) : []) this.push(customEvent(tag, payload), true);
  }

  /** Stops rrweb; with `discard`, buffered events are thrown away instead of kept for the next flush. */
  stop(discard: boolean): void {
    const stop = this.stopRrweb;
    this.active = false;
    this.stopRrweb = null;
    this.cancelStart?.();
    this.cancelStart = null;
    try {
      stop?.();
    } catch {
      // rrweb failed to detach; its events are ignored now that `active` is false.
    }
    if (discard) {
      this.early = [];
      this.parts = [];
      this.raw = [];
      this.rawAt = 0;
      this.writer = null;
      this.chars = 0;
    }
  }

  /**
   * Adds a Reel custom event (identify, event, error) while recording. With `keep`, a call made before
   * recording starts is held in memory (never stored or sent) until it starts, and dropped on refusal.
   */
  addCustom(tag: string, payload: unknown, keep = false): void {
    if (this.active) this.push(customEvent(tag, payload), keep);
    else if (keep && this.early.length < MAX_EARLY) this.early.push([tag, payload]);
  }

  /** Cuts the buffer into one beacon and hands it to the outbox to compress and send. */
  flush(): void {
    this.clearFlushTimer();
    this.serialize();
    if (this.parts.length === 0) return;
    const parts = this.takeParts();
    const seq = this.tab.takeSeq();
    const body = envelope(this.tab.recordingId, this.tab.sessionId, seq, false, this.policy.version, parts,
      this.context);
    this.context = null;
    this.outbox.add(newBeacon(seq, body), true);
  }

  /**
   * Cuts the buffer into keepalive-sized beacons and sends everything now, without awaiting compression.
   * `unloading` (pagehide) marks the last beacon final, sending an empty one if nothing is buffered.
   * Returns the beacons sent by ordinary fetch during an unload, which the unload may cancel.
   */
  flushNow(unloading: boolean): Beacon[] {
    this.clearFlushTimer();
    this.serialize();
    const final = unloading && this.recording;
    if (this.parts.length > 0 || final) {
      const { recordingId: rid, sessionId: sid } = this.tab;
      const rules = this.policy.version;
      const overhead = utf8Length(envelope(rid, sid, this.tab.nextSeq, false, rules, [], this.context));
      const groups = splitBySize(this.takeParts(), overhead, KEEPALIVE_BODY_MAX);
      if (groups.length === 0) groups.push([]);
      groups.forEach((group, i) => {
        const seq = this.tab.takeSeq();
        const last = final && i === groups.length - 1;
        this.outbox.add(newBeacon(seq, envelope(rid, sid, seq, last, rules, group, this.context)), false);
        this.context = null;
      });
    }
    return this.outbox.sendNow(unloading);
  }

  private onRrwebEvent(e: eventWithTime): void {
    try {
      if (!this.active) return;
      if (isInteraction(e)) {
        const now = Date.now();
        if (this.tab.isIdle(now)) {
          // The old session's events go out under its id; this interaction opens the new session,
          // which gets its own full snapshot (taken after rrweb returns, not inside its emit).
          this.flush();
          this.tab.newSession(now);
          this.takeContext();
          setTimeout(() => this.checkout(), 0);
        } else {
          this.tab.touch(now);
        }
      }
      this.push(e);
    } catch {
      // A recorder fault must never surface in the host page.
    }
  }

  private takeContext(): void {
    try {
      this.context = userContext(this.policy);
    } catch {
      this.context = null; // A context that cannot be read is not sent; recording goes on.
    }
  }

  private checkout(): void {
    try {
      if (this.active) record.takeFullSnapshot(true);
    } catch {
      // As above.
    }
  }

  /**
   * Masks an event and buffers it. `soon` (the app's identify and event calls, whose payloads the app may
   * change afterwards) and full snapshots (large, written in slices) are serialised in the next task.
   */
  private push(e: eventWithTime, soon = false): void {
    // Masking failed: the event is lost rather than sent unmasked. A full snapshot's strings are masked as
    // it is serialised, in slices (maskLater), not inside rrweb's snapshot task: every path that cuts a
    // beacon serialises first, so no part of it leaves the page, or reaches storage, unmasked.
    if (!scrub(this.policy, e, true)) return;
    this.raw.push(e);
    this.serializeIn(soon || e.type === FULL_SNAPSHOT ? 0 : SERIALIZE_AFTER_MS);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  /** Makes sure a serialisation task runs within `ms`. */
  private serializeIn(ms: number): void {
    const at = performance.now() + ms;
    if (this.serializeTimer) {
      if (this.serializeAt <= at) return;
      clearTimeout(this.serializeTimer);
    }
    this.serializeAt = at;
    this.serializeTimer = setTimeout(() => this.serializeSoon(), ms);
  }

  /** The task that serialises pending events in slices and, past the size bound, cuts a beacon right away. */
  private serializeSoon(): void {
    this.serializeTimer = 0;
    try {
      if (!this.serialize(performance.now() + SLICE_MS)) {
        this.serializeIn(0); // the rest in a later task
        return;
      }
      if (this.chars >= FLUSH_AT_CHARS) this.flush();
    } catch {
      // As above.
    }
  }

  /** Serialises pending events into JSON strings; false if `deadline` passed first (more to do). */
  private serialize(deadline = Infinity): boolean {
    if (deadline === Infinity && this.serializeTimer) {
      clearTimeout(this.serializeTimer);
      this.serializeTimer = 0;
    }
    while (this.writer || this.rawAt < this.raw.length) {
      try {
        this.writer ??= new JsonWriter(this.raw[this.rawAt++],
          (node, max) => maskLater(this.policy, node, max));
        if (!this.writer.run(deadline)) return false;
        const json = this.writer.text();
        this.parts.push(json);
        this.chars += json.length;
      } catch {
        // Cyclic or BigInt payload in a custom event: skip that event only.
      }
      this.writer = null;
    }
    this.raw = [];
    this.rawAt = 0;
    return true;
  }

  private takeParts(): string[] {
    const parts = this.parts;
    this.parts = [];
    this.chars = 0;
    return parts;
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = 0;
  }
}
