// How the recorder writes masked content (src/recorder/mask.ts) under the built-in rules (compile(null),
// src/recorder/rules.ts): stars that hide the length, URL parts, CSS strings. tests/vectors/*.json hold
// the recorder and replay to the same answers on many more cases, in Chromium and in Python.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cssUrls, maskCss, maskSrcset, maskText, maskUrl } from "../../src/recorder/mask";
import { compile } from "../../src/recorder/rules";

const defaults = compile(null);

test("masked text is stars rounded up to a power of two, grouped by eight, whitespace kept", () => {
  assert.equal(maskText("Ada"), "****");
  assert.equal(maskText("Ada Lovelace"), "******** ********");
  assert.equal(maskText("  x \n"), "  **** \n");
  assert.equal(maskText("a".repeat(5000)).replace(/ /g, "").length, 2048);
  assert.equal(maskText("😀😀😀"), "********"); // six UTF-16 code units, as JavaScript counts
  assert.equal(maskText("** **"), "** **"); // already masked: left alone
  assert.equal(maskText(""), "");
});

test("the default URL rule masks every query value and drops fragments and credentials", () => {
  assert.equal(maskUrl(defaults, "https://u:p@a.test/x/y?token=abc&q=&flag#access_token=1"),
    "https://a.test/x/y?token=***&q=&***"); // a bare word is a value too
  assert.equal(maskUrl(defaults, "https://a.test/?word"), "https://a.test/?***");
  assert.equal(maskUrl(defaults, "#icon-cart"), "#icon-cart"); // a reference to an element of the page
  assert.equal(maskUrl(defaults, "#ada@example.com"), "");
  assert.equal(maskUrl(defaults, "mailto:ada@example.com"), "mailto:***");
  assert.equal(maskUrl(defaults, "data:image/png;base64,AAAA"), "data:image/png;base64,AAAA");
  assert.equal(maskUrl(defaults, "/users/ada@example.com/orders"), "/users/***/orders"); // detectors
  assert.equal(maskUrl(defaults, maskUrl(defaults, "https://a.test/?t=1#x")), "https://a.test/?t=***");
});

test("detectors see every path segment or value that could hold a match, however short", () => {
  // A phone number's 9 digits are the shortest match without an @; an escaped @ counts as one.
  assert.equal(maskUrl(defaults, "/call/612345678/item/12345678"), "/call/***/item/12345678");
  assert.equal(maskUrl(defaults, "/u/a%40b.io/x"), "/u/***/x");
  const p = compile({ rules: [{ type: "url", params: ["q"] }] });
  assert.equal(maskUrl(p, "/s?q=1&tel=612345678&n=12345678"), "/s?q=***&tel=***&n=12345678");
});

test("url rules name the parameters and path segments to mask", () => {
  const p = compile({ rules: [{ type: "url", params: ["token"], path_segments: "^[0-9]{4,}$" }] });
  assert.equal(maskUrl(p, "https://a.test/users/12345/x/12?token=t&page=2"), "https://a.test/users/***/x/12?token=***&page=2");
});

test("a srcset keeps its descriptors; CSS keeps a font's strings and masks the rest", () => {
  assert.equal(maskSrcset(defaults, "/a.png?s=1 1x, /b.png 480w"), "/a.png?s=*** 1x, /b.png 480w");
  assert.equal(maskCss(defaults, `p::before{content:"Ada";font-family:"Open Sans"}`),
    `p::before{content:"****";font-family:"Open Sans"}`);
  assert.equal(maskCss(defaults, "'Ada'", "--name"), "'****'");
  assert.equal(cssUrls(defaults, "background:url('/bg.png?u=1')"), "background:url('/bg.png?u=***')");
});
