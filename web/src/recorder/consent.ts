// Consent (docs/contracts/masking-rules.md, "Consent in the browser"): the user's choice is the one thing
// about the user kept before consent, in localStorage under one key (the rules cache, remote.ts, is the
// application's). Global Privacy Control counts as a refusal unless the application opts out (honor_gpc:
// false); only a consent(true) made while the user is interacting with the page (a click on the page's own
// banner) overrides it, since a page script could otherwise call consent(true) on every load.
import type { Policy } from "./rules";

const KEY = "reel.consent";
/** Stored values: refused, granted, granted by a user's own action (which also overrides GPC). */
const REFUSED = "0";
const GRANTED = "1";
const GRANTED_BY_USER = "2";

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null; // Storage disabled: the choice lasts for this page only.
  }
}

let choice = read();

/** Records the page's `reel.consent(granted)`. */
export function choose(granted: boolean): void {
  const nav = navigator as Navigator & { userActivation?: { isActive?: boolean } };
  const byUser = choice === GRANTED_BY_USER || nav.userActivation?.isActive === true;
  choice = granted ? (byUser ? GRANTED_BY_USER : GRANTED) : REFUSED;
  try {
    localStorage.setItem(KEY, choice);
  } catch {
    // Kept in memory for this page.
  }
}

/** Whether the user refused (so nothing stashed by an earlier page may be sent). */
export function refused(): boolean {
  return choice === REFUSED;
}

/** Whether recording may run under these rules now. */
export function allowed(p: Policy): boolean {
  if (choice === REFUSED) return false;
  const gpc = (navigator as Navigator & { globalPrivacyControl?: unknown }).globalPrivacyControl === true;
  if (gpc && p.honorGpc && choice !== GRANTED_BY_USER) return false;
  return choice !== null || !p.required;
}
