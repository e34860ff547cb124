// The player page's opening (brief §3.4, P5; issue 11): a few KB run as soon as the page is parsed, before
// the player bundle (rrweb and the whole UI, ~300 KB) has loaded and compiled. It shows the frame the page
// carries (the DOM at the session's start or at `?t=`, rendered on the server) in the stage the player then
// adopts (player.ts): the operator sees the right picture while the player is still on its way. The
// session's description and the first segment's request are already in the page (pages.py).
import { FirstFrame } from "./firstframe";

function open(): void {
  const root = document.getElementById("player");
  if (!root || window.reelOpening) return;
  const frame = document.createElement("div");
  frame.className = "frame";
  const stage = document.createElement("div");
  stage.className = "stage";
  stage.append(frame);
  const viewer = document.createElement("div");
  viewer.className = "viewer";
  viewer.append(stage);
  root.replaceChildren(viewer);
  window.reelOpening = { stage, frame, firstFrame: FirstFrame.show(frame, stage) };
}

open();
