// A beacon: the envelope of the web-beacon contract around a batch of already-serialised events.
import { KEEPALIVE_BODY_MAX } from "./config";

/** One numbered upload and its delivery state. */
export interface Beacon {
  readonly seq: number;
  /** The envelope as JSON; dropped once the gzip body exists, to halve memory. */
  body: string | null;
  /** The gzip-compressed envelope, once CompressionStream has produced it. */
  gz: ArrayBuffer | null;
  compressing: boolean;
  attempts: number;
  /** Earliest time (ms) of the next attempt, after a retryable failure. */
  notBefore: number;
  /** Set while a request for this beacon is in flight. */
  inflight: AbortController | null;
  /** Whether the request in flight uses keepalive (and so survives the page). */
  keepalive: boolean;
  /** Resolves when the beacon was acknowledged or failed for good. */
  readonly settled: Promise<void>;
  readonly settle: () => void;
}

/** Wraps an envelope body into a fresh, unsent beacon. */
export function newBeacon(seq: number, body: string | null): Beacon {
  let settle = (): void => undefined;
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  return {
    seq, body, gz: null, compressing: false, attempts: 0, notBefore: 0, inflight: null, keepalive: false,
    settled, settle,
  };
}

/**
 * The envelope JSON (contract v1) around event JSON strings, without re-serialising the events;
 * `context` is the user context's JSON, on the first beacon of a page or session.
 */
export function envelope(recordingId: string, sessionId: string, seq: number, final: boolean, rules: number,
  events: readonly string[], context: string | null = null): string {
  return `{"v":1,"recording_id":${JSON.stringify(recordingId)},"session_id":${JSON.stringify(sessionId)},`
    + `"seq":${seq},"sent_at":${Date.now()},"final":${final},"rules_version":${rules},`
    + (context ? `"context":${context},` : "") + `"events":[${events.join(",")}]}`;
}

/** UTF-8 byte length of a string (lone surrogates count as the 3-byte replacement character). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      n += 1;
    } else if (c >= 0xd800 && c < 0xdc00 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else {
      n += 2;
    }
  }
  return n;
}

/** Bytes of the body a keepalive request would carry now; Infinity when certainly over the limit. */
export function keepaliveSize(b: Beacon): number {
  if (b.gz) return b.gz.byteLength;
  const body = b.body ?? "";
  // UTF-8 needs at least one byte per UTF-16 unit, so a longer string cannot fit: skip the count.
  return body.length > KEEPALIVE_BODY_MAX ? Infinity : utf8Length(body);
}

/** Groups event JSON strings so each envelope stays within `max` bytes; an event too big goes alone. */
export function splitBySize(events: readonly string[], overhead: number, max: number): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let size = overhead;
  for (const e of events) {
    const n = utf8Length(e) + 1;
    if (group.length > 0 && size + n > max) {
      groups.push(group);
      group = [];
      size = overhead;
    }
    group.push(e);
    size += n;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
