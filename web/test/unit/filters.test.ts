// The session list's search state: query string in and out, and the API parameters it asks for
// (src/player/filters.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiParams, dayStart, DEFAULT_FILTERS, isFiltered, pageQuery, readFilters } from "../../src/player/filters";

test("an empty query string is the defaults, and the defaults write an empty query string", () => {
  assert.deepEqual(readFilters(""), DEFAULT_FILTERS);
  assert.equal(pageQuery(DEFAULT_FILTERS), "");
  assert.equal(isFiltered(DEFAULT_FILTERS), false);
});

test("every filter survives the page's query string", () => {
  const search = "?user_id=u-42&url=%2Fcart&event=checkout&page=%2Fpay&browser=Firefox&os=Linux&device=tablet"
    + "&app_id=app_1&platform=mobile&from=2026-03-01&to=2026-03-31&min_duration=1.5&max_duration=90&unit=s"
    + "&min_actions=7&has_errors=1&has_rage_clicks=1&has_dead_clicks=1&sort=-errors&offset=50";
  const f = readFilters(search);
  assert.deepEqual(f, {
    userId: "u-42", url: "/cart", event: "checkout", page: "/pay", browser: "Firefox", os: "Linux",
    device: "tablet", appId: "app_1", platform: "mobile", from: "2026-03-01", to: "2026-03-31",
    minDuration: "1.5", maxDuration: "90", unit: "s", minActions: "7", hasErrors: true, hasRageClicks: true,
    hasDeadClicks: true, sort: "-errors", offset: 50,
  });
  assert.equal(pageQuery(f), search);
  assert.deepEqual(readFilters(pageQuery(f)), f);
  assert.equal(isFiltered(f), true);
  assert.equal(isFiltered({ ...DEFAULT_FILTERS, sort: "errors", offset: 50 }), false);
});

test("malformed values fall back to no filter", () => {
  const f = readFilters("?platform=tv&from=2026-02-31&to=yesterday&min_duration=-1&max_duration=1e9"
    + "&min_actions=1.5&has_errors=maybe&sort=random&offset=-3&unit=h");
  assert.deepEqual(f, DEFAULT_FILTERS);
  assert.equal(readFilters("?user_id=" + "x".repeat(500)).userId.length, 200);
  assert.equal(readFilters("?min_actions=007").minActions, "7");
  assert.equal(readFilters("?has_errors=TRUE").hasErrors, true);
});

test("the API is asked for local days (the last one included), durations in ms and flags as booleans", () => {
  const f = { ...DEFAULT_FILTERS, from: "2026-03-01", to: "2026-03-02", minDuration: "1.5", maxDuration: "2" };
  const q = apiParams({ ...f, minActions: "3", hasErrors: true, offset: 100 }, 25);
  assert.equal(q.get("limit"), "25");
  assert.equal(q.get("offset"), "100");
  assert.equal(q.get("sort"), "-start");
  assert.equal(q.get("started_after"), String(new Date(2026, 2, 1).getTime()));
  assert.equal(q.get("started_before"), String(new Date(2026, 2, 3).getTime()));
  assert.equal(q.get("min_duration_ms"), "90000");
  assert.equal(q.get("max_duration_ms"), "120000");
  assert.equal(q.get("min_actions"), "3");
  assert.equal(q.get("has_errors"), "true");
  assert.equal(q.has("has_rage_clicks"), false);
  assert.equal(apiParams({ ...f, unit: "s" }, 10).get("min_duration_ms"), "1500");
  assert.equal(pageQuery({ ...DEFAULT_FILTERS, unit: "s" }), ""); // a unit without a duration says nothing
});

test("the API gets every text filter under its own name (the user id as a prefix) and every flag", () => {
  const f = readFilters("?user_id=u-4&url=%2Fcart&event=buy&page=%2Fpay&browser=Firefox&os=Linux&device=mobile"
    + "&app_id=app_1&platform=web&has_rage_clicks=1&has_dead_clicks=1");
  assert.deepEqual([...apiParams(f, 5)], [
    ["limit", "5"], ["offset", "0"], ["sort", "-start"], ["user_prefix", "u-4"], ["url", "/cart"], ["event", "buy"],
    ["page", "/pay"], ["browser", "Firefox"], ["os", "Linux"], ["device", "mobile"], ["app_id", "app_1"],
    ["platform", "web"], ["has_rage_clicks", "true"], ["has_dead_clicks", "true"],
  ]);
});

test("a day that does not exist is refused rather than rolled over", () => {
  assert.equal(dayStart("2025-02-31"), null);
  assert.equal(dayStart("2025-13-01"), null);
  assert.equal(dayStart("25-01-01"), null);
  assert.equal(dayStart("2024-02-29"), new Date(2024, 1, 29).getTime());
  assert.equal(dayStart("2024-12-31", 1), new Date(2025, 0, 1).getTime());
});
