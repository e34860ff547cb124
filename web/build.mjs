// Builds Reel's browser bundles into src/reel/_built/ (git-ignored), which the Python package serves.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "src", "reel", "_built");
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: false, target: ["es2020"], logLevel: "warning" };

// Swagger UI for /api/docs comes from npm as built files: copied as they are, with their licence.
const swagger = join(here, "node_modules", "swagger-ui-dist");
mkdirSync(join(outdir, "apidocs"), { recursive: true });
for (const name of ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"]) {
  copyFileSync(join(swagger, name), join(outdir, "apidocs", name));
}

await Promise.all([
  build({ ...common, entryPoints: [join(here, "src/recorder/index.ts")], outfile: join(outdir, "reel.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/player/index.ts")], outfile: join(outdir, "player.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/player/eventsworker.ts")], outfile: join(outdir, "events-worker.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/apidocs/index.ts")], outfile: join(outdir, "apidocs", "start.js"), format: "iife" }),
]);
