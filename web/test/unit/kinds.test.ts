// What each action kind is called and how the list and the seek bar show actions (src/player/kinds.ts,
// markersFor in src/player/markers.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Action } from "../../src/player/api";
import { actionSubject, describeAction, kindInfo, kindToken, listedActions } from "../../src/player/kinds";
import { markersFor } from "../../src/player/markers";

function action(ts: number, kind: string, extra: Partial<Action> = {}): Action {
  return { ts, kind, url: "https://shop.test/cart", target: "", label: "", data: {}, ...extra } as Action;
}

test("known kinds have a label, a group and a marker; unknown ones are humanised", () => {
  assert.deepEqual(kindInfo("rage_click"), { label: "Rage click", group: "clicks", marker: "rage", rank: 5 });
  assert.equal(kindInfo("input").marker, null);
  assert.deepEqual(kindInfo("scroll_depth"), { label: "Scroll depth", group: "other", marker: null, rank: 0 });
  assert.equal(kindInfo("___").label, "Action");
  assert.equal(kindInfo("constructor").label, "Constructor"); // not Object.prototype's
  assert.equal(kindToken("dead_click"), "dead_click");
  assert.equal(kindToken('x" onclick="y'), "other");
});

test("an action is described by its page, its element and label, or its message", () => {
  assert.deepEqual(actionSubject(action(1, "load")), { target: "", text: "shop.test/cart" });
  assert.deepEqual(actionSubject(action(1, "identify", { label: "u-42" })), { target: "", text: "as u-42" });
  const error = action(1, "error", { label: "TypeError: ****", data: { source: "https://shop.test/app.js" } });
  assert.equal(actionSubject(error).text, "TypeError: **** (https://shop.test/app.js)");
  const rage = action(1, "rage_click", { target: "button#buy", label: "Buy", data: { clicks: 4 } });
  assert.equal(describeAction(rage), "Rage click · button#buy 4× “Buy”");
  assert.equal(describeAction(action(1, "click", { target: "div" })), "Click · div");
  assert.equal(describeAction(action(1, "identify")), "Identify");
});

test("a click that turned out dead is listed once, as the dead click, and the list is in time order", () => {
  const listed = listedActions([
    action(300, "click", { target: "a" }),
    action(100, "click", { target: "button#buy" }),
    action(100, "dead_click", { target: "button#buy" }),
    action(100, "rage_click", { target: "button#buy" }),
    action(100, "click", { target: "span" }), // another element at the same moment stays
    action(50, "load"),
  ]);
  assert.deepEqual(listed.map((a) => [a.ts, a.kind, a.target]), [
    [50, "load", ""],
    [100, "rage_click", "button#buy"],
    [100, "dead_click", "button#buy"],
    [100, "click", "span"],
    [300, "click", "a"],
  ]);
});

test("seek bar markers: only kinds with a marker, clamped to the session, important ones drawn last", () => {
  const start = 1_000;
  const markers = markersFor([
    action(900, "load"),
    action(1_500, "input"),
    action(2_000, "click"),
    action(2_500, "error"),
    action(3_000, "rage_click"),
    action(99_000, "custom"),
  ], start, 10_000);
  assert.deepEqual(markers.map((m) => [m.action.kind, m.at, m.rank]), [
    ["click", 1_000, 0],
    ["custom", 10_000, 2],
    ["load", 0, 3],
    ["rage_click", 2_000, 5],
    ["error", 1_500, 6],
  ]);
});
