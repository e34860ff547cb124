// Builds Reel's browser bundles into src/reel/_built/ (git-ignored), which the Python package serves.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "src", "reel", "_built");
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: false, target: ["es2020"], logLevel: "warning" };

// Parts of rrweb's recorder that Reel's options never reach are dropped from the recorder bundle, about 3 KB of
// the 30 KB gzip budget: the canvas worker's source and the CanvasManager that patches 2D and WebGL contexts
// (no `recordCanvas`: pixels cannot be masked; what record() calls on the manager stays, as no-ops), the font
// observer (no `collectFonts`), the rewriting of cross-origin iframe messages (no `recordCrossOriginIframes`),
// rrdom's node class (record() never builds one) and a deprecated `mirror` export nothing uses.
// Each must be found exactly once: if rrweb moves or reshapes one, the build fails rather than ship it.
const DROPS = [
  ["canvas worker", /^const jsContent = '[^\n]*';$/m, 'const jsContent = "";'],
  ["CanvasManager", /^class CanvasManager \{\n[\s\S]*?\n\}\n/m,
    "class CanvasManager {\n  reset() {}\n  freeze() {}\n  unfreeze() {}\n  lock() {}\n  unlock() {}\n}\n"],
  ["font observer", /^function initFontObserver\(\{ fontCb, doc \}\) \{\n[\s\S]*?\n\}\n/m,
    "function initFontObserver() {\n  return () => {};\n}\n"],
  // A deprecated `mirror` export that only warns, built with a Proxy at load: nothing in the bundle uses it.
  ["deprecated mirror export",
    /^const DEPARTED_MIRROR_ACCESS_WARNING = [^\n]*\nlet _mirror = \{\n[\s\S]*?\n\};\nif \(typeof window[^\n]*\{\n[\s\S]*?\n\}\n/m, ""],
  // rrdom's node class: the recorder only asks whether a node is one (never, for a live DOM's nodes).
  ["rrdom's BaseRRNode", /^class BaseRRNode \{\n[\s\S]*?\n\}\n/m, "class BaseRRNode {\n}\n"],
  ["cross-origin iframe messages", /^ {2}handleMessage\(message\) \{\n[\s\S]*?\n {2}\}\n/m, "  handleMessage() {}\n"],
  // Snapshots of canvases and images as data URLs (no `recordCanvas`, no `inlineImages`): pixels cannot be masked.
  ["canvas data URLs", /^ {2}if \(tagName === "canvas" && recordCanvas\) \{\n[\s\S]*?\n {2}\}\n/m, ""],
  ["inlined images", /^ {2}if \(tagName === "img" && inlineImages\) \{\n[\s\S]*?\n {2}\}\n/m, ""],
  ["cross-origin iframe events", /^ {2}transformCrossOriginEvent\(iframeEl, e\) \{\n[\s\S]*?\n {2}\}\n/m,
    "  transformCrossOriginEvent() {\n    return false;\n  }\n"],
  // The id mirrors of cross-origin frames and the rewriting of their events' ids, which only the dropped
  // transformCrossOriginEvent used (and plugins, which Reel passes none of).
  ["cross-origin iframe id mirror", /^class CrossOriginIframeMirror \{\n[\s\S]*?\n\}\n/m, "class CrossOriginIframeMirror {\n}\n"],
  // The wrappers that call a `hooks` option's callbacks before rrweb's own on every event: Reel passes none.
  ["observer hooks", /^function mergeHooks\(o, hooks\) \{\n[\s\S]*?\n\}\n/m, "function mergeHooks() {\n}\n"],
  // The forEach of NodeList and DOMTokenList, added where missing: every browser of the es2020 target has them.
  ["forEach polyfill", /^function polyfill\(win = window\) \{\n[\s\S]*?\n\}\n/m, "function polyfill() {\n}\n"],
  // Methods of record() the recorder never calls (it builds its own custom events: events.ts).
  ["record.addCustomEvent and record.freezePage",
    /^record\.addCustomEvent = \(tag, payload\) => \{\n[\s\S]*?\n\};\nrecord\.freezePage = \(\) => \{\n[\s\S]*?\n\};\n/m, ""],
  ["cross-origin iframe id rewriting",
    /^ {2}replace\(iframeMirror, obj, iframeEl, keys\) \{\n[\s\S]*?\n\}\n(?=class ShadowDomManager)/m, "}\n"],
];
// The dropped canvas and image snapshots and observer hooks are only dead code while the recorder never asks
// for them.
for (const option of ["recordCanvas", "inlineImages", "hooks"]) {
  if ((await readFile(join(here, "src/recorder/recorder.ts"), "utf8")).includes(option)) {
    throw new Error(`the recorder sets ${option}: build.mjs drops what it needs`);
  }
}
for (const name of readdirSync(join(here, "src/recorder"))) {
  if (/\.(addCustomEvent|freezePage)\(/.test(await readFile(join(here, "src/recorder", name), "utf8"))) {
    throw new Error(`src/recorder/${name} calls a record() method build.mjs drops`);
  }
}
let dropped = false;
const dropUnused = {
  name: "drop-unused-rrweb",
  setup(b) {
    b.onLoad({ filter: /@rrweb[\\/]record[\\/]dist[\\/]record\.js$/ }, async ({ path }) => {
      let source = await readFile(path, "utf8");
      for (const [what, pattern, replacement] of DROPS) {
        const found = source.match(new RegExp(pattern.source, pattern.flags + "g")) ?? [];
        if (found.length !== 1) throw new Error(`rrweb's ${what} was found ${found.length} times: check build.mjs`);
        source = source.replace(pattern, replacement);
      }
      // The stub keeps exactly the CanvasManager methods record() calls; nothing builds a BaseRRNode.
      for (const [, name] of source.matchAll(/canvasManager\.(\w+)\(/g)) {
        if (!DROPS[1][2].includes(`${name}() {}`)) throw new Error(`rrweb calls canvasManager.${name}: check build.mjs`);
      }
      if (/new BaseRRNode|extends BaseRRNode/.test(source)) throw new Error("rrweb builds a BaseRRNode: check build.mjs");
      if (/\b_mirror\b/.test(source)) throw new Error("rrweb uses its deprecated mirror export: check build.mjs");
      if (/\.(replaceIds|replaceStyleIds|replaceIdOnNode|patchRootIdOnNode)\(|crossOriginIframe(Style)?Mirror\.\w+\(/
        .test(source)) throw new Error("rrweb rewrites cross-origin frame ids: check build.mjs");
      dropped = true;
      return { contents: source, loader: "js" };
    });
  },
};

// Swagger UI for /api/docs comes from npm as built files: copied as they are, with their licence.
const swagger = join(here, "node_modules", "swagger-ui-dist");
mkdirSync(join(outdir, "apidocs"), { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) {
  copyFileSync(join(swagger, name), join(outdir, "apidocs", name));
}

await Promise.all([
  build({
    ...common, entryPoints: [join(here, "src/recorder/index.ts")], outfile: join(outdir, "reel.js"), format: "iife",
    plugins: [dropUnused],
  }),
  build({ ...common, entryPoints: [join(here, "src/player/index.ts")], outfile: join(outdir, "player.js"), format: "iife" }),
  // The player page's opening script (opening.ts): the first frame before the player bundle has loaded.
  build({ ...common, entryPoints: [join(here, "src/player/opening.ts")], outfile: join(outdir, "opening.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/player/eventsworker.ts")], outfile: join(outdir, "events-worker.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/apidocs/index.ts")], outfile: join(outdir, "apidocs", "start.js"), format: "iife" }),
]);
if (!dropped) throw new Error("rrweb's recorder module was not found: check the drop-unused-rrweb step of build.mjs");
