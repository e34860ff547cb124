// Entry of reel.js: reads the snippet's settings, wires recorder, outbox and page lifecycle, sets window.reel.
import { createApi, replayQueued, type ReelApi } from "./api";
import { findSetup } from "./config";
import { captureErrors } from "./events";
import { TabState } from "./ids";
import { Outbox } from "./queue";
import { Recorder } from "./recorder";
import { dropStash, stash, takeStash } from "./stash";

type ReelWindow = Window & { reel?: unknown };

/** True when a parent frame of the same origin already records; rrweb records same-origin frames itself. */
function parentRecords(win: Window): boolean {
  try {
    return win.parent !== win && isReel((win.parent as ReelWindow).reel);
  } catch {
    return false; // Cross-origin parent: this frame records on its own.
  }
}

function isReel(value: unknown): value is ReelApi {
  return typeof value === "object" && value !== null && typeof (value as ReelApi).status === "function";
}

/** Calls `fn` from an event listener without ever letting it throw into the page. */
function safely(fn: (ev?: Event) => void): (ev: Event) => void {
  return (ev) => {
    try {
      fn(ev);
    } catch {
      // The recorder failing must not break the app.
    }
  };
}

function main(): void {
  const win = window as ReelWindow;
  if (isReel(win.reel) || parentRecords(win)) return; // The snippet ran twice, or the parent frame records.
  const setup = findSetup(document);
  if (!setup) {
    console.warn("reel: no <script data-app-key> found; not recording");
    return;
  }
  const tab = new TabState(Date.now());
  const outbox = new Outbox(setup.url, setup.gzipUrl);
  const recorder = new Recorder(tab, outbox);
  // Beacons an earlier page of this tab may not have sent (never after a refusal: those are dropped).
  const stashed = takeStash();
  if (!tab.refused) for (const b of stashed) outbox.add(b, true);

  // Hidden may be the last moment a mobile browser gives us; pagehide is the unload itself.
  document.addEventListener("visibilitychange", safely(() => {
    if (document.visibilityState === "hidden") {
      recorder.flushNow(false);
      tab.save(Date.now());
    }
  }));
  win.addEventListener("pagehide", safely(() => {
    stash(recorder.flushNow(true));
    tab.release();
  }));
  win.addEventListener("pageshow", safely((ev?: Event) => {
    tab.claim();
    if (ev instanceof PageTransitionEvent && ev.persisted) dropStash(); // Back from bfcache: still sending.
  }));
  win.addEventListener("online", safely(() => outbox.online()));
  captureErrors(win, (tag, payload) => recorder.addCustom(tag, payload));

  if (!tab.refused) recorder.start();
  const api = createApi(recorder, outbox, tab);
  const stub = win.reel;
  win.reel = api;
  replayQueued(api, stub);
}

try {
  main();
} catch (err) {
  console.warn("reel: recorder failed to start", err);
}
