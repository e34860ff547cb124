// The session list page (/sessions): a table of recorded sessions, newest first, each row opening the player.
import { ApiError, listSessions, loginHref, type SessionSummary } from "./api";
import { h } from "./dom";
import { completeness, formatDateTime, formatDuration, shortUrl } from "./format";

const PAGE_SIZE = 50;

export function runSessionList(root: HTMLElement): void {
  const offset = Math.max(0, Number.parseInt(new URLSearchParams(location.search).get("offset") ?? "0", 10) || 0);
  void load(root, offset);
}

async function load(root: HTMLElement, offset: number): Promise<void> {
  root.replaceChildren(h("p", { class: "muted loading", text: "Loading sessions…" }));
  root.setAttribute("aria-busy", "true");
  try {
    const page = await listSessions(PAGE_SIZE, offset);
    root.replaceChildren(page.total === 0 ? emptyState() : table(page.sessions, page.total, offset));
    root.dataset.state = "ready";
  } catch (err) {
    root.replaceChildren(errorState(err, () => void load(root, offset)));
    root.dataset.state = "error";
  } finally {
    root.removeAttribute("aria-busy");
  }
}

function table(sessions: SessionSummary[], total: number, offset: number): HTMLElement {
  const head = h(
    "thead",
    {},
    h(
      "tr",
      {},
      ...["Started", "Duration", "First page", "Pages", "Events", "Completeness"].map((label) =>
        h("th", { text: label, attrs: { scope: "col" } }),
      ),
    ),
  );
  const body = h("tbody", {}, ...sessions.map(row));
  return h(
    "div",
    {},
    h("p", { class: "summary muted", text: summary(total, offset, sessions.length) }),
    h("div", { class: "table-wrap" }, h("table", { class: "sessions" }, head, body)),
    pager(total, offset),
  );
}

function row(s: SessionSummary): HTMLTableRowElement {
  const href = `/sessions/${encodeURIComponent(s.id)}`;
  const link = h("a", { text: formatDateTime(s.start), attrs: { href } });
  const badges: Node[] = [];
  if (!s.closed) badges.push(h("span", { class: "badge live", text: "open" }));
  if (!s.has_replay) badges.push(h("span", { class: "badge muted-badge", text: "no replay" }));
  const tr = h(
    "tr",
    { attrs: { "data-session-id": s.id } },
    h("td", { class: "start" }, link, ...badges),
    h("td", { class: "num", text: formatDuration(s.duration_ms) }),
    h("td", { class: "first-url", text: shortUrl(s.first_url), attrs: { title: s.first_url ?? "" } }),
    h("td", { class: "num", text: s.pages.toLocaleString() }),
    h("td", { class: "num", text: s.events.toLocaleString() }),
    h("td", {}, h("span", { class: s.missing_beacons ? "status warn" : "status ok", text: completeness(s.missing_beacons) })),
  );
  // The whole row is a target; the link inside keeps keyboard access, middle-click and "open in new tab".
  tr.addEventListener("click", (event) => {
    if (event.target instanceof Element && event.target.closest("a")) return;
    if (window.getSelection()?.toString()) return; // the operator is selecting text, not opening
    if (event.ctrlKey || event.metaKey) window.open(href, "_blank", "noopener");
    else location.assign(href);
  });
  return tr;
}

function summary(total: number, offset: number, shown: number): string {
  if (total <= shown) return `${total.toLocaleString()} session${total === 1 ? "" : "s"}`;
  return `Sessions ${(offset + 1).toLocaleString()}–${(offset + shown).toLocaleString()} of ${total.toLocaleString()}`;
}

function pager(total: number, offset: number): HTMLElement | string {
  if (total <= PAGE_SIZE) return "";
  const nav = h("nav", { class: "pager", attrs: { "aria-label": "Pages of sessions" } });
  const newer = Math.max(0, offset - PAGE_SIZE);
  const older = offset + PAGE_SIZE;
  nav.append(
    offset > 0 ? h("a", { class: "button", text: "← Newer", attrs: { href: `?offset=${newer}` } }) : h("span"),
    older < total ? h("a", { class: "button", text: "Older →", attrs: { href: `?offset=${older}` } }) : h("span"),
  );
  return nav;
}

function emptyState(): HTMLElement {
  const snippet = `<script src="${location.origin}/capture/reel.js" data-app-key="YOUR_APP_KEY" async></script>`;
  return h(
    "section",
    { class: "empty" },
    h("h2", { text: "No sessions recorded yet" }),
    h("p", { text: "Create an application for your site's origin; the command prints its app key:" }),
    h("pre", {}, h("code", { text: "reel apps create my-shop --origin https://shop.example.com" })),
    h("p", { text: "Then add this tag to every page of the site, with that key:" }),
    h("pre", {}, h("code", { text: snippet })),
    h("p", {
      class: "muted",
      text: "Recording starts once the visitor consents (window.reel.consent(true)); sessions appear here within seconds.",
    }),
  );
}

function errorState(err: unknown, retry: () => void): HTMLElement {
  if (err instanceof ApiError && err.status === 401) {
    return h(
      "section",
      { class: "notice error" },
      h("p", { text: "Your login has ended." }),
      h("a", { class: "button primary", text: "Log in", attrs: { href: loginHref() } }),
    );
  }
  const message = err instanceof ApiError ? err.message : "Something went wrong while loading sessions.";
  return h("section", { class: "notice error" }, h("p", { text: message }), button("Try again", retry));
}

function button(label: string, onClick: () => void): HTMLButtonElement {
  const b = h("button", { class: "button", text: label, attrs: { type: "button" } });
  b.addEventListener("click", onClick);
  return b;
}
