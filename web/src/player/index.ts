// Entry of the operator pages' bundle: the page template says which page this is in <body data-page>.
import { runSessionList } from "./list";
import type { PlayerHook } from "./hook";
import { Player } from "./player";

declare global {
  interface Window {
    reelPlayer?: PlayerHook;
  }
}

function main(): void {
  const page = document.body.dataset.page;
  if (page === "sessions") {
    const root = document.getElementById("sessions");
    if (root) runSessionList(root);
  } else if (page === "player") {
    const root = document.getElementById("player");
    const sessionId = root?.dataset.sessionId;
    if (!root || !sessionId) return;
    const player = new Player(root, sessionId);
    window.reelPlayer = player.hook();
    void player.start();
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main, { once: true });
else main();
