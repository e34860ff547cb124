// Runs the unit tests of the browser code (test/unit/*.test.ts) with Node's own test runner: each file is
// bundled by esbuild (as build.mjs bundles the pages) into a temporary folder, then `node --test` runs them.
// `make test-web` calls this; extra arguments go to `node --test` (e.g. --test-name-pattern).
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tests = join(here, "..", "test", "unit");
const entries = readdirSync(tests).filter((f) => f.endsWith(".test.ts")).sort();
if (entries.length === 0) throw new Error(`no tests in ${tests}`);
const outdir = mkdtempSync(join(tmpdir(), "reel-web-tests-"));
try {
  await build({
    entryPoints: entries.map((f) => join(tests, f)),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: ["node20"],
    sourcemap: "inline",
    logLevel: "warning",
  });
  const files = entries.map((f) => join(outdir, f.replace(/\.ts$/, ".mjs")));
  const run = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...process.argv.slice(2), ...files],
    { stdio: "inherit" });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
