// The player's header: when the session started, what it holds, who the user was, and for a split
// session which part this is, with links to the parts before and after it.
import type { PartRef, SessionDetail } from "./api";
import { h } from "./dom";
import { completeness, formatDateTime, formatDuration, plural } from "./format";
import { contextFacts } from "./usercontext";

export function sessionHeader(s: SessionDetail): HTMLElement {
  const facts: (HTMLElement | null)[] = [
    h("span", { text: formatDuration(s.duration_ms) }),
    h("span", { text: plural(s.pages, "page") }),
    h("span", { text: plural(s.actions, "action") }),
    s.errors ? h("span", { class: "count errors", text: plural(s.errors, "error") }) : null,
    s.rage_clicks ? h("span", { class: "count rage", text: plural(s.rage_clicks, "rage click") }) : null,
    h("span", { class: s.missing_beacons ? "status warn" : "status ok", text: completeness(s.missing_beacons) }),
    s.closed ? null : h("span", { class: "badge live", text: "open" }),
  ];
  const user = s.user_id
    ? h(
        "span",
        { class: "user-id", attrs: { title: "The id the site gave with identify()" } },
        h("span", { class: "muted", text: "User " }),
        s.user_id,
      )
    : h("span", { class: "user-id muted", text: "Anonymous user" });
  return h(
    "div",
    { class: "player-head" },
    h("a", { class: "back", text: "← Sessions", attrs: { href: "/sessions" } }),
    h(
      "div",
      { class: "head-main" },
      h("div", { class: "title-row" }, h("h1", { text: formatDateTime(s.start) }), partNav(s)),
      h("p", { class: "facts" }, user, ...facts),
      contextFacts(s),
    ),
  );
}

/** "‹ Part 1 · Part 2 of 3 · Part 3 ›" for a split session; nothing for a session in one part. */
export function partNav(s: SessionDetail): HTMLElement | null {
  const parts = [...(s.parts ?? [])].sort((a, b) => a.part - b.part);
  if (parts.length < 2 && s.part <= 1) return null;
  const index = parts.findIndex((p) => p.id === s.id);
  const total = Math.max(parts.length, s.part);
  const previous = index > 0 ? parts[index - 1] : null;
  const next = index >= 0 && index < parts.length - 1 ? parts[index + 1] : null;
  return h(
    "nav",
    { class: "parts", attrs: { "aria-label": "Parts of this session" } },
    partLink(previous, "prev"),
    h("span", {
      class: "part-of",
      text: `Part ${s.part} of ${total}`,
      attrs: {
        title: "Sessions are split after 200 actions or 8 hours; each part plays its own time range",
        "aria-current": "page",
      },
    }),
    partLink(next, "next"),
  );
}

function partLink(part: PartRef | null, rel: "prev" | "next"): HTMLElement {
  const text = rel === "prev" ? "‹ Previous part" : "Next part ›";
  if (!part) return h("span", { class: `part-link ${rel} disabled`, text, attrs: { "aria-disabled": "true" } });
  return h("a", {
    class: `part-link ${rel}`,
    text,
    attrs: {
      href: `/sessions/${encodeURIComponent(part.id)}`,
      rel,
      title: `Part ${part.part}, from ${formatDateTime(part.start)}`,
      "aria-label": `${rel === "prev" ? "Previous" : "Next"} part: part ${part.part}, from ${formatDateTime(part.start)}`,
    },
  });
}
