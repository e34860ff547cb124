// The session list page (/sessions): the filter bar and a table of matching sessions, each row opening the
// player. The search lives in the page URL (?user_id=…&has_errors=1&offset=50), so it can be shared and
// back/forward step through earlier searches.
import { ApiError, listApplications, listSessions, loginHref, type SessionPage, type SessionSummary } from "./api";
import { h } from "./dom";
import { FilterForm } from "./filterform";
import { DEFAULT_FILTERS, apiParams, isFiltered, pageQuery, readFilters, type Filters } from "./filters";
import { completeness, formatDateTime, formatDuration, plural, shortUrl } from "./format";
import { contextLine } from "./usercontext";

const PAGE_SIZE = 50;
/** New sessions (and changes to open ones) show without a reload: the list asks again this often. */
const REFRESH_MS = 5000;

/** Columns the table can sort by, with the API's sort key and the direction a first click asks for. */
const SORTABLE: Record<string, { key: string; first: "-" | "" }> = {
  Started: { key: "start", first: "-" },
  Duration: { key: "duration", first: "-" },
  Actions: { key: "actions", first: "-" },
  Errors: { key: "errors", first: "-" },
};
const COLUMNS = ["Started", "User", "Browser · OS · device", "Duration", "First page", "Pages", "Actions", "Errors", "Rage clicks", "Ended"];

const ENDINGS: Record<string, { text: string; title: string }> = {
  tab_closed: { text: "tab closed", title: "The user closed the tab or left the site" },
  app_closed: { text: "app closed", title: "The app stopped recording (it was closed, or it crashed)" },
  idle: { text: "idle", title: "No interaction for the idle timeout; what followed is a new session" },
  silent: { text: "recorder silent", title: "The recorder stopped sending (browser killed, connection lost)" },
  split: { text: "split", title: "Split after 200 actions or 8 hours; the recording continues in the next part" },
};

export function runSessionList(root: HTMLElement): void {
  new SessionList(root).start();
}

class SessionList {
  private filters: Filters = readFilters(location.search);
  private readonly form: FilterForm;
  private readonly status = h("p", { class: "summary muted", attrs: { role: "status", "aria-live": "polite" } });
  private readonly results = h("div", { class: "results" });
  private request: AbortController | null = null;
  /** The ids and contents last shown, to tell whether a refresh changed anything. */
  private shown = "";
  private shownIds = new Set<string>();

  constructor(private readonly root: HTMLElement) {
    this.form = new FilterForm(this.filters, (filters, force) => this.change(filters, force));
  }

  start(): void {
    this.root.replaceChildren(this.form.element, this.status, this.results);
    window.addEventListener("popstate", () => {
      this.filters = readFilters(location.search);
      this.form.set(this.filters);
      void this.load();
    });
    // The application filter appears only for operators who see several applications.
    listApplications().then(
      (apps) => this.form.setApplications(apps),
      () => {}, // not worth an error: the other filters still work
    );
    void this.load();
    setInterval(() => void this.refresh(), REFRESH_MS);
  }

  /** Asks again for the page shown, quietly; redraws only when something changed, marking new rows. */
  private async refresh(): Promise<void> {
    if (document.hidden || this.request || this.root.dataset.state !== "ready") return;
    const filters = this.filters;
    try {
      const page = await listSessions(apiParams(filters, PAGE_SIZE));
      if (this.request || filters !== this.filters) return; // the operator searched meanwhile
      if (JSON.stringify(page) === this.shown) return;
      const before = this.shownIds;
      this.show(page, filters);
      for (const tr of this.results.querySelectorAll<HTMLElement>("tr[data-session-id]")) {
        if (!before.has(tr.dataset.sessionId ?? "")) tr.classList.add("new");
      }
    } catch {
      // A failed refresh changes nothing; the next one tries again.
    }
  }

  /** A new search from the form (always from the first page), or the same one again when `force`. */
  private change(filters: Filters, force: boolean): void {
    const query = pageQuery(filters);
    if (query === location.search && !force) return;
    this.filters = filters;
    if (query !== location.search) history.pushState(null, "", location.pathname + query);
    void this.load();
  }

  /** Goes to another page of the same search, as a new history entry. */
  private goTo(filters: Filters): void {
    this.filters = filters;
    this.form.set(filters);
    history.pushState(null, "", location.pathname + pageQuery(filters));
    void this.load();
  }

  private async load(): Promise<void> {
    this.request?.abort(); // an older, slower answer must not overwrite this one
    const request = new AbortController();
    this.request = request;
    const filters = this.filters;
    this.root.setAttribute("aria-busy", "true");
    this.root.dataset.state = "loading";
    if (!this.results.firstChild) this.results.replaceChildren(h("p", { class: "muted loading", text: "Loading sessions…" }));
    else this.results.classList.add("stale");
    try {
      const page = await listSessions(apiParams(filters, PAGE_SIZE), request.signal);
      if (request.signal.aborted) return;
      this.show(page, filters);
      this.root.dataset.state = "ready";
    } catch (err) {
      if (request.signal.aborted) return;
      this.status.textContent = "";
      this.results.replaceChildren(errorState(err, () => void this.load()));
      this.root.dataset.state = "error";
    } finally {
      if (this.request === request) {
        this.request = null;
        this.root.removeAttribute("aria-busy");
        this.results.classList.remove("stale");
      }
    }
  }

  private show(page: SessionPage, filters: Filters): void {
    this.shown = JSON.stringify(page);
    this.shownIds = new Set(page.sessions.map((s) => s.id));
    if (page.total === 0 && !isFiltered(filters)) {
      this.status.textContent = "";
      this.results.replaceChildren(emptyState());
      return;
    }
    if (page.sessions.length === 0) {
      this.status.textContent = page.total === 0 ? "No sessions match these filters." : "No sessions on this page.";
      const clear = h("button", { class: "button", text: "Clear filters", attrs: { type: "button" } });
      clear.addEventListener("click", () => this.goTo({ ...DEFAULT_FILTERS, sort: filters.sort }));
      const first = h("button", { class: "button", text: "First page", attrs: { type: "button" } });
      first.addEventListener("click", () => this.goTo({ ...filters, offset: 0 }));
      this.results.replaceChildren(h("div", { class: "no-match" }, page.total === 0 ? clear : first));
      return;
    }
    this.status.textContent = summary(page.total, filters.offset, page.sessions.length, isFiltered(filters));
    this.results.replaceChildren(
      h(
        "div",
        { class: "table-wrap" },
        h("table", { class: "sessions" }, this.head(filters), h("tbody", {}, ...page.sessions.map(row))),
      ),
      this.pager(page.total, filters),
    );
  }

  private head(filters: Filters): HTMLElement {
    const cells = COLUMNS.map((label) => {
      const th = h("th", { attrs: { scope: "col" } });
      const sortable = SORTABLE[label];
      if (!sortable) {
        th.textContent = label;
        return th;
      }
      const current = filters.sort.replace(/^-/, "") === sortable.key;
      const descending = filters.sort.startsWith("-");
      if (current) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const next = current ? (descending ? "" : "-") + sortable.key : sortable.first + sortable.key;
      const b = h("button", {
        class: current ? "sort current" : "sort",
        text: label,
        attrs: { type: "button", title: `Sort by ${label.toLowerCase()}` },
      });
      if (current) b.append(h("span", { class: "arrow", text: descending ? " ↓" : " ↑", attrs: { "aria-hidden": "true" } }));
      b.addEventListener("click", () => this.goTo({ ...filters, sort: next, offset: 0 }));
      th.append(b);
      return th;
    });
    return h("thead", {}, h("tr", {}, ...cells));
  }

  private pager(total: number, filters: Filters): HTMLElement | string {
    if (total <= PAGE_SIZE && filters.offset === 0) return "";
    const nav = h("nav", { class: "pager", attrs: { "aria-label": "Pages of sessions" } });
    const link = (label: string, offset: number): HTMLElement => {
      const target = { ...filters, offset };
      const a = h("a", { class: "button", text: label, attrs: { href: location.pathname + pageQuery(target) } });
      a.addEventListener("click", (event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return; // new tab: let it
        event.preventDefault();
        this.goTo(target);
        window.scrollTo({ top: 0 });
      });
      return a;
    };
    const newer = Math.max(0, filters.offset - PAGE_SIZE);
    const older = filters.offset + PAGE_SIZE;
    nav.append(
      filters.offset > 0 ? link("← Previous", newer) : h("span"),
      older < total ? link("Next →", older) : h("span"),
    );
    return nav;
  }
}

function row(s: SessionSummary): HTMLTableRowElement {
  const href = `/sessions/${encodeURIComponent(s.id)}`;
  const link = h("a", { text: formatDateTime(s.start), attrs: { href } });
  const badges: Node[] = [];
  if (s.part > 1 || s.close_reason === "split") {
    const title = "One part of a session split after 200 actions or 8 hours";
    badges.push(h("span", { class: "badge part", text: `part ${s.part}`, attrs: { title } }));
  }
  if (!s.has_replay) badges.push(h("span", { class: "badge muted-badge", text: "no replay" }));
  // Completeness is worth a column's width only when something is missing.
  if (s.missing_beacons) {
    const title = "Beacons that never arrived: the replay has gaps";
    badges.push(h("span", { class: "status warn", text: completeness(s.missing_beacons), attrs: { title } }));
  }
  const user = s.user_id
    ? h("span", { text: s.user_id, attrs: { title: s.user_id } })
    : h("span", { class: "muted", text: "anonymous" });
  const tr = h(
    "tr",
    { attrs: { "data-session-id": s.id } },
    h("td", { class: "start" }, link, ...badges),
    h("td", { class: "user" }, user),
    h("td", { class: "context-cell", text: contextLine(s) || "–", attrs: { title: contextTitle(s) } }),
    h("td", { class: "num", text: formatDuration(s.duration_ms) }),
    h("td", { class: "first-url", text: shortUrl(s.first_url), attrs: { title: s.first_url ?? "" } }),
    h("td", { class: "num", text: s.pages.toLocaleString() }),
    h("td", { class: "num", text: s.actions.toLocaleString() }),
    h("td", { class: "num" }, count(s.errors, "errors", plural(s.errors, "error"))),
    h("td", { class: "num" }, count(s.rage_clicks, "rage", plural(s.rage_clicks, "rage click"))),
    h("td", { class: "ended" }, ending(s)),
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

function contextTitle(s: SessionSummary): string {
  const parts = [
    s.viewport_width ? `viewport ${s.viewport_width}×${s.viewport_height}` : "",
    s.language ?? "",
    s.timezone ?? "",
    s.referrer ? `from ${s.referrer}` : "",
  ];
  return parts.filter(Boolean).join(", ");
}

/** A count worth noticing as a coloured badge; zero as a quiet dash. */
function count(n: number, kind: string, title: string): HTMLElement {
  if (n === 0) return h("span", { class: "muted", text: "–", attrs: { title } });
  return h("span", { class: `count ${kind}`, text: n.toLocaleString(), attrs: { title } });
}

function ending(s: SessionSummary): HTMLElement {
  if (!s.closed) return h("span", { class: "badge live", text: "open", attrs: { title: "Still recording, or not closed yet" } });
  const known = ENDINGS[s.close_reason];
  return h("span", { class: "muted", text: known?.text ?? "closed", attrs: { title: known?.title ?? "" } });
}

function summary(total: number, offset: number, shown: number, filtered: boolean): string {
  const what = filtered ? "matching session" : "session";
  if (offset === 0 && total <= shown) return plural(total, what);
  return `${(offset + 1).toLocaleString()}–${(offset + shown).toLocaleString()} of ${plural(total, what)}`;
}

function emptyState(): HTMLElement {
  // The snippet is built by the server (one place: reel.capture.snippet) and shown per application.
  return h(
    "section",
    { class: "empty" },
    h("h2", { text: "No sessions recorded yet" }),
    h(
      "p",
      {},
      "Create an application for your site's origin on the ",
      h("a", { text: "Applications page", attrs: { href: "/applications" } }),
      " (or with the command below); it shows the snippet to add to every page of the site.",
    ),
    h("pre", {}, h("code", { text: "reel apps create my-shop --origin https://shop.example.com" })),
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
  const b = h("button", { class: "button", text: "Try again", attrs: { type: "button" } });
  b.addEventListener("click", retry);
  return h("section", { class: "notice error" }, h("p", { text: message }), b);
}
