// Runs the recorder's detectors and CSS masking (src/recorder/detect.ts, mask.ts) on cases read as JSON
// from stdin: {"cases": [{"text": "...", "names": ["email", ...]} or {"css": "...", "prop"?: "..."}]} →
// [{"masked": "...", "ms": 0.1}] on stdout, CSS masked under the default rules. Tests in tests/unit drive
// it, so that replay and capture are held to the same answers.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bundle = await build({
  stdin: {
    contents: 'export { detect, detectors } from "./detect"; export { maskCss } from "./mask";'
      + ' export { compile } from "./rules";',
    resolveDir: join(here, "..", "src", "recorder"),
    loader: "ts",
  },
  bundle: true,
  write: false,
  format: "esm",
  platform: "neutral",
  logLevel: "error",
});
const { detect, detectors, maskCss, compile } = await import(
  "data:text/javascript;base64," + Buffer.from(bundle.outputFiles[0].text).toString("base64")
);
const defaults = compile(null);

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).cases.map(({ text, names, css, prop }) => {
  const list = css === undefined ? detectors(names) : null;
  const start = performance.now();
  const masked = css === undefined ? detect(text, list) : maskCss(defaults, css, prop);
  return { masked, ms: performance.now() - start };
});
process.stdout.write(JSON.stringify(out));
