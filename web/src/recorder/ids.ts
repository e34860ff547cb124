// Per-tab identity kept in sessionStorage: recording id, session id, next seq, last activity. Nothing is
// written before recording begins (consent): until then the state lives in memory only.
import { IDLE_TIMEOUT_MS } from "./config";

const STATE_KEY = "reel.tab";
const LIVE_KEY = "reel.live";
const ID_PATTERN = /^[A-Za-z0-9-]{1,70}$/;
const MAX_SEQ = 2 ** 31 - 1;
/** Activity is persisted at most this often; pagehide persists it anyway. */
const ACTIVITY_SAVE_MS = 5_000;

interface Stored {
  r: string;
  s: string;
  n: number;
  a: number;
}

/** A random (version 4) UUID; getRandomValues, unlike randomUUID, exists outside secure contexts too. */
export function newId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = (x: number, i: number): string => (i === 4 || i === 6 || i === 8 || i === 10 ? "-" : "")
    + (x + 256).toString(16).slice(1);
  return Array.from(b, hex).join("");
}

/** sessionStorage, or null where it is disabled or throws (sandboxed frames, some privacy modes). */
function openStorage(): Storage | null {
  try {
    const s = window.sessionStorage;
    s.getItem(STATE_KEY);
    return s;
  } catch {
    return null;
  }
}

/** The tab's recording state; every page load in one tab continues the same recording and seq. */
export class TabState {
  recordingId: string;
  sessionId: string;
  nextSeq: number;
  lastActivity: number;
  private readonly store = openStorage();
  private readonly instance = newId();
  private savedAt = 0;
  /** Whether the state may be written to sessionStorage (from begin() until forget()). */
  private persist = false;

  constructor(now: number) {
    const prior = this.read();
    // A live marker left by another page means this storage was copied from a tab that is still open
    // (duplicated tab, window.open) or that page died: continuing its seq could reuse numbers, so start over.
    const copied = this.get(LIVE_KEY) !== null;
    if (prior && !copied) {
      this.recordingId = prior.r;
      this.nextSeq = prior.n;
      this.sessionId = now - prior.a > IDLE_TIMEOUT_MS ? newId() : prior.s;
    } else {
      this.recordingId = newId();
      this.nextSeq = 0;
      this.sessionId = newId();
    }
    this.lastActivity = now;
  }

  /** Recording begins: the state is kept in sessionStorage from now on; this page is the tab's live one. */
  begin(): void {
    this.persist = true;
    this.claim();
    this.save(Date.now());
  }

  /** Consent withdrawn: the tab's stored state goes (the in-memory ids go on, so no seq is ever reused). */
  forget(): void {
    this.persist = true;
    for (const key of [STATE_KEY, LIVE_KEY]) this.set(key, null);
    this.persist = false;
  }

  /** Takes the next seq for a beacon being cut, persisting it first so no later page load reuses it. */
  takeSeq(): number {
    if (this.nextSeq >= MAX_SEQ) {
      this.recordingId = newId();
      this.nextSeq = 0;
    }
    const seq = this.nextSeq++;
    this.save(Date.now());
    return seq;
  }

  /** True when an interaction at `now` comes after the idle timeout, i.e. belongs to a new session. */
  isIdle(now: number): boolean {
    return now - this.lastActivity > IDLE_TIMEOUT_MS;
  }

  /** Starts a new session within the same recording. */
  newSession(now: number): void {
    this.sessionId = newId();
    this.lastActivity = now;
    this.save(now);
  }

  /** Records a user interaction; written through to storage at most every few seconds. */
  touch(now: number): void {
    this.lastActivity = now;
    if (now - this.savedAt > ACTIVITY_SAVE_MS) this.save(now);
  }

  /** Marks this page as the tab's live recorder (on load and when restored from the back/forward cache). */
  claim(): void {
    this.set(LIVE_KEY, this.instance);
  }

  /** Clears the live marker on pagehide so the next page load in this tab continues the recording. */
  release(): void {
    this.save(Date.now());
    if (this.get(LIVE_KEY) === this.instance) this.set(LIVE_KEY, null);
  }

  /** Persists the state now. */
  save(now: number): void {
    this.savedAt = now;
    const state: Stored = { r: this.recordingId, s: this.sessionId, n: this.nextSeq, a: this.lastActivity };
    this.set(STATE_KEY, JSON.stringify(state));
  }

  private read(): Stored | null {
    try {
      const raw = this.get(STATE_KEY);
      const v = raw ? (JSON.parse(raw) as Partial<Stored>) : null;
      const validId = (x: unknown): boolean => typeof x === "string" && ID_PATTERN.test(x);
      if (v && validId(v.r) && validId(v.s) && Number.isInteger(v.n) && (v.n as number) >= 0
        && typeof v.a === "number") {
        return v as Stored;
      }
    } catch {
      // Corrupt state: start a new recording.
    }
    return null;
  }

  private get(key: string): string | null {
    try {
      return this.store ? this.store.getItem(key) : null;
    } catch {
      return null;
    }
  }

  private set(key: string, value: string | null): void {
    try {
      if (!this.store || !this.persist) return;
      if (value === null) this.store.removeItem(key);
      else this.store.setItem(key, value);
    } catch {
      // Quota or privacy mode: the in-memory state still works for this page.
    }
  }
}
