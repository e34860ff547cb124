// The operator's playback preferences (speed, skip inactivity), kept across sessions in localStorage.
import { SPEEDS } from "./controls";

export interface Prefs {
  speed: number;
  skipInactive: boolean;
}

const KEY = "reel.player";
const DEFAULTS: Prefs = { speed: 1, skipInactive: true };

export function loadPrefs(): Prefs {
  const prefs = { ...DEFAULTS };
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? "{}") as { speed?: unknown; skipInactive?: unknown };
    if (typeof stored.speed === "number" && (SPEEDS as readonly number[]).includes(stored.speed)) prefs.speed = stored.speed;
    if (typeof stored.skipInactive === "boolean") prefs.skipInactive = stored.skipInactive;
  } catch {
    // Storage disabled or garbage: the defaults will do.
  }
  return prefs;
}

export function savePrefs(prefs: Prefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Not worth bothering the operator about.
  }
}
