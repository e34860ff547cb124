// Bundles one test entry (a harness under test/harness/) for the browser and writes it to stdout; the
// end-to-end tests serve it to a Chromium page. Test code never goes into src/reel/_built.
import { build } from "esbuild";

const entry = process.argv[2];
if (!entry) throw new Error("usage: node scripts/bundle-test.mjs test/harness/NAME.ts");
const out = await build({
  entryPoints: [entry], bundle: true, write: false, format: "iife", target: ["es2020"], logLevel: "error",
});
process.stdout.write(out.outputFiles[0].text);
