// Builds Reel's browser bundles into src/reel/_built/ (git-ignored), which the Python package serves.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "src", "reel", "_built");
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: false, target: ["es2020"], logLevel: "warning" };

await Promise.all([
  build({ ...common, entryPoints: [join(here, "src/recorder/index.ts")], outfile: join(outdir, "reel.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/player/index.ts")], outfile: join(outdir, "player.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/player/eventsworker.ts")], outfile: join(outdir, "events-worker.js"), format: "iife" }),
]);
