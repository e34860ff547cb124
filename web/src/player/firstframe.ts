// The first frame (brief §3.4, P5): the player page carries the session's opening DOM as static HTML,
// rendered and made safe on the server (masked, no scripts, CSS inlined, resources from Reel's copies),
// in a <script type="application/json"> data block. It is shown in a sandboxed iframe of its own at once,
// and handed over to the replayer's iframe once that one has drawn its page with its style sheets.

import type { PlayerHook } from "./hook";

interface FirstFrameDoc {
  html: string;
  width: number;
  height: number;
  scroll: { top: number; left: number };
  /** Reel's copies of the page's style sheets: preloaded, so the replayer finds them in the cache. */
  styles: string[];
}

/** What the opening script (opening.ts) hands to the player bundle: the stage it drew the first frame in. */
export interface Opening {
  stage: HTMLElement;
  frame: HTMLElement;
  /** Taken (set to null) by the player that adopts it. */
  firstFrame: FirstFrame | null;
  /** Hands the player's test hook to the one the opening put up meanwhile (its `ready` and `seek` wait). */
  hooked(hook: PlayerHook): void;
}

declare global {
  interface Window {
    reelOpening?: Opening;
  }
}

/** How long a hand-over waits for the replayer's style sheets before showing it anyway. */
const HANDOVER_MAX_FRAMES = 120;

export class FirstFrame {
  private readonly observer: ResizeObserver;

  private constructor(
    private readonly iframe: HTMLIFrameElement,
    private readonly frame: HTMLElement,
    private readonly stage: HTMLElement,
    private readonly doc: FirstFrameDoc,
  ) {
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(stage);
    this.fit();
  }

  /** Shows the page's first frame in `frame`, if the page carries one; null otherwise. */
  static show(frame: HTMLElement, stage: HTMLElement): FirstFrame | null {
    const data = document.getElementById("reel-first-frame");
    const doc = parse(data?.textContent ?? "");
    data?.remove(); // shown once: a retry of the player starts from the replayer
    if (!doc) return null;
    for (const href of doc.styles) preload(href);
    const iframe = document.createElement("iframe");
    // Recorded DOM is untrusted: exactly allow-same-origin, never allow-scripts (set before insertion).
    iframe.setAttribute("sandbox", "allow-same-origin");
    iframe.setAttribute("title", "Session replay");
    iframe.setAttribute("aria-hidden", "true");
    iframe.className = "first-frame";
    Object.assign(iframe.style, {
      position: "absolute", top: "0", left: "0", zIndex: "1", border: "0", background: "#fff",
      pointerEvents: "none", transformOrigin: "0 0", width: `${doc.width}px`, height: `${doc.height}px`,
    });
    frame.append(iframe);
    const shown = new FirstFrame(iframe, frame, stage, doc);
    if (!shown.render()) {
      iframe.remove();
      return null;
    }
    // Moving an iframe in the document (the player builds its view around the stage) reloads it empty:
    // draw the frame again whenever that happens.
    iframe.addEventListener("load", () => {
      if (!iframe.contentDocument?.body?.childElementCount) shown.render();
    });
    requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("reel:first-frame")));
    return shown;
  }

  /** Writes the frame into the iframe's document; false if the iframe has none. */
  private render(): boolean {
    const target = this.iframe.contentDocument;
    if (!target) return false;
    // A standards-mode skeleton, then the parsed (inert) document imported in place of its root.
    target.open();
    target.write("<!DOCTYPE html><html><head></head><body></body></html>");
    target.close();
    const parsed = new DOMParser().parseFromString(this.doc.html, "text/html");
    target.replaceChild(target.importNode(parsed.documentElement, true), target.documentElement);
    this.iframe.contentWindow?.scrollTo(this.doc.scroll.left, this.doc.scroll.top);
    return true;
  }

  /** Removes the first frame once the replayer's iframe shows its page with every style sheet loaded. */
  handOver(replayIframe: HTMLIFrameElement): void {
    let frames = 0;
    const check = (): void => {
      frames++;
      if (frames < HANDOVER_MAX_FRAMES && !drawn(replayIframe)) {
        requestAnimationFrame(check);
        return;
      }
      this.observer.disconnect();
      this.iframe.remove();
    };
    requestAnimationFrame(check);
  }

  /** Scales the recorded viewport into the stage as the replayer does (never above 1:1). */
  private fit(): void {
    const { width, height } = this.doc;
    if (!this.iframe.isConnected || this.stage.clientWidth <= 0 || this.stage.clientHeight <= 0) return;
    const scale = Math.min(this.stage.clientWidth / width, this.stage.clientHeight / height, 1);
    if (!this.frame.querySelector(".replayer-wrapper")) {
      this.frame.style.width = `${Math.floor(width * scale)}px`;
      this.frame.style.height = `${Math.floor(height * scale)}px`;
    }
    this.iframe.style.transform = `scale(${scale})`;
  }
}

function parse(text: string): FirstFrameDoc | null {
  if (!text) return null;
  try {
    const doc = JSON.parse(text) as Partial<FirstFrameDoc>;
    if (typeof doc.html !== "string" || !(Number(doc.width) > 0) || !(Number(doc.height) > 0)) return null;
    return {
      html: doc.html,
      width: Number(doc.width),
      height: Number(doc.height),
      scroll: { top: Number(doc.scroll?.top) || 0, left: Number(doc.scroll?.left) || 0 },
      styles: Array.isArray(doc.styles) ? doc.styles.filter((s): s is string => /^\/resources\/[0-9a-f]{64}$/.test(String(s))) : [],
    };
  } catch {
    return null;
  }
}

function preload(href: string): void {
  const link = document.createElement("link");
  link.rel = "preload";
  link.as = "style";
  link.href = href;
  document.head.append(link);
}

/** Whether the replayer has built a page and all of its linked style sheets have loaded. */
function drawn(iframe: HTMLIFrameElement): boolean {
  const doc = iframe.contentDocument;
  if (!doc?.body || doc.body.childElementCount === 0) return false;
  for (const link of Array.from(doc.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet"]'))) {
    if (!link.sheet) return false;
  }
  return true;
}
