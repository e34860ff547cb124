// The user's context for the list and the player header: browser, OS, device, viewport, language,
// time zone, referrer and identify traits. Every value is recorded data: shown as text, never as HTML.
import type { SessionSummary } from "./api";
import { h } from "./dom";
import { shortUrl } from "./format";

/** "Chrome 131 · macOS · desktop", or "" when the recorder sent no context. */
export function contextLine(s: SessionSummary): string {
  return [s.browser, s.os, s.device].filter(Boolean).join(" · ");
}

/** The header's facts about the user's browser and device, each labelled for screen readers and titles. */
export function contextFacts(s: SessionSummary): HTMLElement | null {
  const facts: Array<[string, string]> = [];
  const line = contextLine(s);
  if (line) facts.push(["Browser, OS and device", line]);
  if (s.viewport_width && s.viewport_height) facts.push(["Viewport", `${s.viewport_width}×${s.viewport_height}`]);
  if (s.language) facts.push(["Language", s.language]);
  if (s.timezone) facts.push(["Time zone", s.timezone]);
  if (s.referrer) facts.push(["Came from", `from ${shortUrl(s.referrer)}`]);
  const traits = Object.entries(s.traits ?? {});
  if (facts.length === 0 && traits.length === 0) return null;
  const items = facts.map(([label, text]) =>
    h("span", { class: "context-fact", text, attrs: { title: label === "Came from" ? s.referrer ?? "" : label } }),
  );
  const traitList = traits.length
    ? h(
        "dl",
        { class: "traits", attrs: { title: "Traits sent with identify()" } },
        ...traits.flatMap(([key, value]) => [h("dt", { text: key }), h("dd", { text: traitText(value) })]),
      )
    : null;
  return h("div", { class: "user-context", attrs: { "aria-label": "Browser, device and traits" } }, ...items, traitList);
}

function traitText(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
