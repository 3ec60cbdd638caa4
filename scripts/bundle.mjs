#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js and everything it imports,
// commander included) into one file, dist/berth.mjs, which bin/berth prefers:
// resolving and reading ~60 modules through Node's ESM loader costs more than
// the CLI's own work for short commands. Run after `tsc` (scripts/install.sh does).
//
// The bundle is built from tsc's output rather than from src/ so that it runs
// exactly the code the unbundled fallback runs. Lazily imported command
// modules stay lazy: esbuild turns each `import()` into a deferred initialiser,
// so their top-level code still runs only for the command invoked.
import { build } from "esbuild";
import { readFile, rename } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const entry = join(root, "dist/src/cli/main.js");
const outfile = join(root, "dist/berth.mjs");

// A module that finds files next to itself (version-info.ts reads package.json
// via import.meta.url) must keep seeing its own location, not the bundle's.
const keepModuleUrls = {
  name: "keep-module-urls",
  setup(b) {
    b.onLoad({ filter: /\/dist\/src\/.*\.js$/ }, async ({ path }) => {
      const text = await readFile(path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const fromBundle = relative(dirname(outfile), path);
      return {
        contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
        loader: "js",
      };
    });
  },
};

const tmp = `${outfile}.${process.pid}.tmp`;
await build({
  entryPoints: [entry],
  outfile: tmp,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Native addons cannot be inlined; the CLI should not load them at all.
  external: ["better-sqlite3", "node-unix-socket"],
  // commander is CommonJS and calls require() for Node built-ins, which an ES
  // module lacks.
  banner: { js: 'import { createRequire as __berthRequire } from "node:module";\nconst require = __berthRequire(import.meta.url);' },
  plugins: [keepModuleUrls],
  legalComments: "none",
  logLevel: "warning",
});
// Atomic, so a CLI started during the build never loads half a file.
await rename(tmp, outfile);
