// Entry of the operator pages' bundle: the page template says which page this is in <body data-page>.
import { runApplications } from "./apps";
import { runSessionList } from "./list";
import { MobilePlayer } from "./mobile/player";
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
  } else if (page === "applications") {
    const root = document.getElementById("applications");
    if (root) void runApplications(root);
  } else if (page === "player") {
    const root = document.getElementById("player");
    const sessionId = root?.dataset.sessionId;
    if (!root || !sessionId) return;
    const player = new Player(root, sessionId, (session) => {
      const mobile = new MobilePlayer(root, session);
      window.reelPlayer = mobile.hook();
      void mobile.start();
    });
    const hook = player.hook();
    window.reelOpening?.hooked(hook);
    window.reelPlayer = hook;
    void player.start();
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main, { once: true });
else main();
