// Entry of reel.js: reads the snippet's settings, wires recorder, outbox and page lifecycle, sets window.reel.
import { createApi, replayQueued, type ReelApi } from "./api";
import { findSetup } from "./config";
import { allowed, choose, refused } from "./consent";
import { captureErrors } from "./events";
import { watchPage } from "./hooks";
import { TabState } from "./ids";
import { Outbox } from "./queue";
import { Recorder } from "./recorder";
import { loadPolicy } from "./remote";
import type { Policy } from "./rules";
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
  const add = (tag: string, payload: unknown): void => recorder.addCustom(tag, payload);
  // Reel's own requests (beacons, the config) are never reported as the page's: a failing beacon would
  // otherwise report itself in the next one.
  const own = new URL("/v1/web/", setup.url).href;
  const ours = (url: string): boolean => {
    try {
      return new URL(url, document.baseURI).href.startsWith(own);
    } catch {
      return false;
    }
  };
  // Nothing is recorded, buffered or stored until the rules are known and consent allows it.
  let policy: Policy | null = null;
  let begun = false;
  let hooked = false;
  const update = (): void => {
    if (!policy || !allowed(policy)) return;
    if (!begun) {
      begun = true;
      tab.begin();
      // Beacons an earlier page of this tab may not have sent.
      for (const b of takeStash()) outbox.add(b, true);
    }
    if (!hooked) {
      hooked = true;
      watchPage(win, add, policy.capture, ours);
    }
    recorder.start(policy);
  };
  const consent = (granted: boolean): void => {
    choose(granted);
    if (!granted) {
      // Refusal: nothing more leaves the page, and what has not left yet never will.
      recorder.stop(true);
      outbox.clear();
      dropStash();
      tab.forget();
      begun = false;
    }
    update();
  };
  if (refused()) {
    dropStash();
    tab.forget();
  }

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
    if (begun) tab.claim();
    if (ev instanceof PageTransitionEvent && ev.persisted) dropStash(); // Back from bfcache: still sending.
  }));
  win.addEventListener("online", safely(() => outbox.online()));
  captureErrors(win, add);

  const rulesVersion = (): number | null => (policy ? policy.version : null);
  const api = createApi(recorder, outbox, tab, { consent, rulesVersion });
  const stub = win.reel;
  win.reel = api;
  replayQueued(api, stub);
  // In a task of its own: the first localStorage read of a page (the cached rules) waits on the browser
  // process, and the snippet usually runs inside the page's long parsing task.
  setTimeout(() => {
    void loadPolicy(setup.configUrl, setup.appKey).then((p) => {
      policy = p;
      update();
    }).catch(() => undefined);
  }, 0);
}

try {
  main();
} catch (err) {
  console.warn("reel: recorder failed to start", err);
}
