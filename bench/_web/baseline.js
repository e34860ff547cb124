// The rrweb baseline of the seek benchmark: plain rrweb Replayer with the session's events from a static
// file, in the same browser as Reel's player. Bundled by bench/_bundle.py into the cache (never committed).
import { Replayer } from "@rrweb/replay";

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
// Two animation frames after the DOM change: the frame holding it has been painted.
const painted = async () => {
  await nextFrame();
  await nextFrame();
};

let replayer = null;
let first = 0;

window.bench = {
  /** Fetches and parses the events, builds the Replayer and paints its first frame; the times in ms. */
  async load(url) {
    const t0 = performance.now();
    const res = await fetch(url);
    const text = await res.text();
    const t1 = performance.now();
    const events = JSON.parse(text).events;
    const t2 = performance.now();
    first = events[0].timestamp;
    replayer = new Replayer(events, {
      root: document.getElementById("stage"),
      showWarning: false,
      mouseTail: false,
      triggerFocus: false,
    });
    replayer.pause(0);
    await painted();
    const t3 = performance.now();
    return { fetchMs: t1 - t0, parseMs: t2 - t1, buildMs: t3 - t2, totalMs: t3 - t0, events: events.length, first };
  },
  /** Pauses at an absolute time (ms epoch) and waits for the frame to be painted; the time it took. */
  async seek(at) {
    const t0 = performance.now();
    replayer.pause(at - first);
    await painted();
    return performance.now() - t0;
  },
  /** Text of an element of the replayed page (a check that both replays show the same moment). */
  text(selector) {
    const el = replayer.iframe.contentDocument.querySelector(selector);
    return el ? el.textContent : null;
  },
};
