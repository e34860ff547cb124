// The session list's search: the state of the filter form, kept in the page's query string (so a search
// can be shared and back/forward work) and translated into the operator API's parameters. Pure.

export const SORTS = [
  { value: "-start", label: "Newest first" },
  { value: "start", label: "Oldest first" },
  { value: "-duration", label: "Longest first" },
  { value: "duration", label: "Shortest first" },
  { value: "-actions", label: "Most actions" },
  { value: "actions", label: "Fewest actions" },
  { value: "-errors", label: "Most errors" },
  { value: "errors", label: "Fewest errors" },
] as const;

export type DurationUnit = "s" | "min";
export type Platform = "" | "web" | "mobile";
export type Device = "" | "desktop" | "mobile" | "tablet";

export interface Filters {
  /** The start of the user id (prefix search). */
  userId: string;
  url: string;
  /** A custom event's exact name. */
  event: string;
  /** Text in the URL of a page visited. */
  page: string;
  browser: string;
  os: string;
  device: Device;
  appId: string;
  platform: Platform;
  /** Local calendar days, `YYYY-MM-DD` as `<input type=date>` gives them; both ends included. */
  from: string;
  to: string;
  /** As typed, in `unit`; "" for no bound. */
  minDuration: string;
  maxDuration: string;
  unit: DurationUnit;
  minActions: string;
  hasErrors: boolean;
  hasRageClicks: boolean;
  hasDeadClicks: boolean;
  /** One of the API's sorts: start, duration, actions or errors, `-` first for descending. */
  sort: string;
  offset: number;
}

export const DEFAULT_FILTERS: Readonly<Filters> = {
  userId: "",
  url: "",
  event: "",
  page: "",
  browser: "",
  os: "",
  device: "",
  appId: "",
  platform: "",
  from: "",
  to: "",
  minDuration: "",
  maxDuration: "",
  unit: "min",
  minActions: "",
  hasErrors: false,
  hasRageClicks: false,
  hasDeadClicks: false,
  sort: "-start",
  offset: 0,
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SORT_VALUES = new Set<string>(SORTS.map((s) => s.value));
const TEXT_MAX = 200;

/** The filters a page query string asks for; anything malformed falls back to "no filter". */
export function readFilters(search: string): Filters {
  const q = new URLSearchParams(search);
  const text = (name: string): string => (q.get(name) ?? "").trim().slice(0, TEXT_MAX);
  const day = (name: string): string => (DAY.test(text(name)) && dayStart(text(name)) !== null ? text(name) : "");
  const amount = (name: string): string => (parseAmount(text(name)) === null ? "" : text(name));
  const flag = (name: string): boolean => ["1", "true", "yes"].includes(text(name).toLowerCase());
  const platform = text("platform");
  const device = text("device");
  const sort = text("sort");
  const offset = Number.parseInt(text("offset"), 10);
  return {
    userId: text("user_id"),
    url: q.get("url")?.trim().slice(0, 2048) ?? "",
    event: text("event"),
    page: q.get("page")?.trim().slice(0, 2048) ?? "",
    browser: text("browser").slice(0, 100),
    os: text("os").slice(0, 100),
    device: device === "desktop" || device === "mobile" || device === "tablet" ? device : "",
    appId: text("app_id"),
    platform: platform === "web" || platform === "mobile" ? platform : "",
    from: day("from"),
    to: day("to"),
    minDuration: amount("min_duration"),
    maxDuration: amount("max_duration"),
    unit: text("unit") === "s" ? "s" : "min",
    minActions: /^\d{1,9}$/.test(text("min_actions")) ? String(Number(text("min_actions"))) : "",
    hasErrors: flag("has_errors"),
    hasRageClicks: flag("has_rage_clicks"),
    hasDeadClicks: flag("has_dead_clicks"),
    sort: SORT_VALUES.has(sort) ? sort : DEFAULT_FILTERS.sort,
    offset: Number.isFinite(offset) && offset > 0 ? offset : 0,
  };
}

type TextFilter = "userId" | "url" | "event" | "page" | "browser" | "os" | "device" | "appId" | "platform";
type FlagFilter = "hasErrors" | "hasRageClicks" | "hasDeadClicks";

/** The filters passed on as typed: their names in the page's query string and in the API's parameters. */
const TEXT_PARAMS: readonly (readonly [TextFilter, page: string, api: string])[] = [
  ["userId", "user_id", "user_prefix"],
  ["url", "url", "url"],
  ["event", "event", "event"],
  ["page", "page", "page"],
  ["browser", "browser", "browser"],
  ["os", "os", "os"],
  ["device", "device", "device"],
  ["appId", "app_id", "app_id"],
  ["platform", "platform", "platform"],
];
/** The yes/no filters, named alike in both; the page writes "1", the API reads "true". */
const FLAG_PARAMS: readonly (readonly [FlagFilter, string])[] = [
  ["hasErrors", "has_errors"],
  ["hasRageClicks", "has_rage_clicks"],
  ["hasDeadClicks", "has_dead_clicks"],
];

/** Sets each text filter that is not empty, under its name in the page's query or the API's. */
function setTexts(q: URLSearchParams, f: Filters, names: "page" | "api"): void {
  for (const [field, page, api] of TEXT_PARAMS) if (f[field]) q.set(names === "page" ? page : api, f[field]);
}

/** Sets the minimum number of actions, then each flag that is on, to `yes`. */
function setCountAndFlags(q: URLSearchParams, f: Filters, yes: string): void {
  if (f.minActions) q.set("min_actions", f.minActions);
  for (const [field, name] of FLAG_PARAMS) if (f[field]) q.set(name, yes);
}

/** The page query string for these filters: only what differs from the defaults, in a stable order. */
export function pageQuery(f: Filters): string {
  const q = new URLSearchParams();
  setTexts(q, f, "page");
  if (f.from) q.set("from", f.from);
  if (f.to) q.set("to", f.to);
  if (f.minDuration) q.set("min_duration", f.minDuration);
  if (f.maxDuration) q.set("max_duration", f.maxDuration);
  if ((f.minDuration || f.maxDuration) && f.unit !== DEFAULT_FILTERS.unit) q.set("unit", f.unit);
  setCountAndFlags(q, f, "1");
  if (f.sort !== DEFAULT_FILTERS.sort) q.set("sort", f.sort);
  if (f.offset > 0) q.set("offset", String(f.offset));
  const text = q.toString();
  return text ? `?${text}` : "";
}

/** The `GET /api/v1/sessions` parameters for these filters and a page of `limit` sessions. */
export function apiParams(f: Filters, limit: number): URLSearchParams {
  const q = new URLSearchParams({ limit: String(limit), offset: String(f.offset), sort: f.sort });
  setTexts(q, f, "api");
  const after = f.from ? dayStart(f.from) : null;
  const before = f.to ? dayStart(f.to, 1) : null; // the "to" day is included: up to the next midnight
  if (after !== null) q.set("started_after", String(after));
  if (before !== null) q.set("started_before", String(before));
  const unitMs = f.unit === "s" ? 1000 : 60_000;
  const min = parseAmount(f.minDuration);
  const max = parseAmount(f.maxDuration);
  if (min !== null) q.set("min_duration_ms", String(Math.round(min * unitMs)));
  if (max !== null) q.set("max_duration_ms", String(Math.round(max * unitMs)));
  setCountAndFlags(q, f, "true");
  return q;
}

/** True when any filter narrows the list (sort and paging do not). */
export function isFiltered(f: Filters): boolean {
  return Boolean(
    f.userId || f.url || f.appId || f.platform || f.from || f.to || f.minDuration || f.maxDuration || f.minActions
      || f.event || f.page || f.browser || f.os || f.device,
  ) || f.hasErrors || f.hasRageClicks || f.hasDeadClicks;
}

/** Local midnight starting the day `YYYY-MM-DD` (plus `addDays`), in ms since the epoch; null if invalid. */
export function dayStart(day: string, addDays = 0): number | null {
  if (!DAY.test(day)) return null;
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(y, m - 1, d + addDays);
  // Date rolls 2025-02-31 over into March; refuse it rather than search a day nobody picked.
  const check = new Date(y, m - 1, d);
  if (check.getFullYear() !== y || check.getMonth() !== m - 1 || check.getDate() !== d) return null;
  return date.getTime();
}

/** A non-negative amount such as "5" or "1.5"; null for "" or anything else. */
function parseAmount(text: string): number | null {
  if (!/^\d{1,7}(\.\d{1,3})?$/.test(text)) return null;
  return Number(text);
}
