// Builds Reel's browser bundles into src/reel/_built/ (git-ignored), which the Python package serves.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "src", "reel", "_built");
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: false, target: ["es2020"], logLevel: "warning" };

// rrweb's recorder carries the source of its canvas worker as a string; Reel never records canvases (pixels
// cannot be masked), so the recorder bundle drops it: about 1 KB of the 30 KB gzip budget. The worker is
// only started with `recordCanvas`, which Reel never sets; if rrweb moves or reshapes it, the build fails.
let workerDropped = false;
const noCanvasWorker = {
  name: "no-canvas-worker",
  setup(b) {
    b.onLoad({ filter: /@rrweb[\\/]record[\\/]dist[\\/]record\.js$/ }, async ({ path }) => {
      const source = await readFile(path, "utf8");
      const worker = /^const jsContent = '[^\n]*';$/m;
      if (!worker.test(source)) throw new Error("rrweb's canvas worker source was not found: check build.mjs");
      workerDropped = true;
      return { contents: source.replace(worker, 'const jsContent = "";'), loader: "js" };
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
    plugins: [noCanvasWorker],
  }),
  build({ ...common, entryPoints: [join(here, "src/player/index.ts")], outfile: join(outdir, "player.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/player/eventsworker.ts")], outfile: join(outdir, "events-worker.js"), format: "iife" }),
  build({ ...common, entryPoints: [join(here, "src/apidocs/index.ts")], outfile: join(outdir, "apidocs", "start.js"), format: "iife" }),
]);
if (!workerDropped) throw new Error("rrweb's recorder module was not found: check the canvas worker step of build.mjs");
