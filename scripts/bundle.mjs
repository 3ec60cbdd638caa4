#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/program.js and everything it imports,
// commander included) into one file, dist/berth.cjs, which bin/berth prefers:
// resolving, reading and linking ~60 modules through Node's ESM loader costs
// more than the CLI's own work for short commands. It is a CommonJS script so
// that bin/berth can compile it with V8's code cache (vm.Script cachedData),
// which ES modules cannot use on Node 20. The daemon
// (dist/src/daemon/main.js) gets the same treatment, dist/berthd/main.mjs, which
// bin/berthd prefers: one module instead of ~150 keeps a few MB of module
// records and compiled code out of its resident memory. Run after tsc
// (scripts/install.sh does).
//
// A bundle is built from tsc's output rather than from src/ so that it runs
// exactly the code the unbundled fallback runs. Lazily imported modules stay
// lazy: in the CLI's one file esbuild turns each `import()` into a deferred
// initialiser; the daemon's bundle is split there into chunk files.
//
// dist/<name>.inputs.json lists the compiled files a bundle was made from;
// bin/berth and bin/berthd use a bundle only while none of them is newer than
// it, so a later `tsc` never leaves a stale bundle in charge.
import { build } from "esbuild";
import { constants } from "node:fs";
import { copyFile, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const bundles = [
  { entry: "src/cli/program.js", name: "berth", format: "cjs" },
  // The daemon's bundle is split at its dynamic imports (the builder, the
  // registry client): code a daemon may never run stays in chunk files that
  // are read only when first needed, out of an idle daemon's memory.
  { entry: "src/daemon/main.js", name: "berthd", split: true },
];

/**
 * A module that finds files next to itself (version-info.ts reads package.json
 * via import.meta.url) must keep seeing its own location, not the bundle's.
 * `base` is the bundle's own URL as an expression of the output format.
 */
const keepModuleUrls = (outfile, base) => ({
  name: "keep-module-urls",
  setup(b) {
    b.onLoad({ filter: /\/dist\/src\/.*\.js$/ }, async ({ path }) => {
      const text = await readFile(path, "utf8");
      if (!text.includes("import.meta.url")) return undefined;
      const fromBundle = relative(dirname(outfile), path);
      return {
        contents: text.replaceAll("import.meta.url", `new URL(${JSON.stringify(fromBundle)}, ${base}).href`),
        loader: "js",
      };
    });
  },
});

async function bundle({ entry, name, split = false, format = "esm" }) {
  // A split bundle is a directory: dist/<name>/main.mjs plus its chunks.
  const cjs = format === "cjs";
  const outfile = split ? join(dist, name, "main.mjs") : join(dist, `${name}.${cjs ? "cjs" : "mjs"}`);
  const inputsFile = join(dist, `${name}.inputs.json`);
  const tmp = split ? join(dist, `${name}.${process.pid}.tmp`) : `${outfile}.${process.pid}.tmp`;
  // Dated when the build began: an input that tsc rewrites while esbuild runs
  // then counts as newer than the bundle.
  const started = new Date();
  const { metafile } = await build({
    entryPoints: [join(dist, entry)],
    ...(split ? { outdir: tmp, splitting: true, entryNames: "main", chunkNames: "chunk-[hash]", outExtension: { ".js": ".mjs" } } : { outfile: tmp }),
    // The metafile names inputs relative to this.
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    format,
    target: "node20",
    // Native addons cannot be inlined; they load from node_modules as before.
    external: ["better-sqlite3", "node-unix-socket"],
    // commander is CommonJS and calls require() for Node built-ins, which an ES
    // module lacks.
    ...(cjs ? {} : { banner: { js: 'import { createRequire as __berthRequire } from "node:module";\nconst require = __berthRequire(import.meta.url);' } }),
    plugins: [keepModuleUrls(outfile, cjs ? 'require("node:url").pathToFileURL(__filename)' : "import.meta.url")],
    metafile: true,
    legalComments: "none",
    logLevel: "warning",
  });

  for (const file of split ? (await readdir(tmp)).map((f) => join(tmp, f)) : [tmp]) await asciiOnly(file);

  const inputs = Object.keys(metafile.inputs)
    .map((p) => relative(dist, resolve(root, p)))
    .filter((p) => !p.startsWith(".."))
    .sort();
  const inputsTmp = `${inputsFile}.${process.pid}.tmp`;
  await writeFile(inputsTmp, `${JSON.stringify(inputs)}\n`);
  await rename(inputsTmp, inputsFile);
  if (!split) {
    await utimes(tmp, started, started);
    // Renamed last and atomically: a process started meanwhile sees the old
    // bundle or the new one, never half a file, and the new one is newer than
    // its inputs.
    await rename(tmp, outfile);
    return;
  }
  await utimes(join(tmp, "main.mjs"), started, started);
  const dir = dirname(outfile);
  await keepPreviousChunks(dir, tmp);
  // A directory cannot replace another in one rename: the old one moves aside
  // first. A daemon started in between finds no bundle and runs tsc's output.
  const old = `${dir}.${process.pid}.old`;
  await rename(dir, old).catch((err) => {
    if (err.code !== "ENOENT") throw err;
  });
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * V8 keeps a module's source text in memory for as long as the module lives,
 * one byte per character only while every character is Latin-1: a single "…"
 * in a comment doubles the daemon's 0.6 MB of source to 1.2 MB. esbuild already
 * escapes strings, regular expressions and identifiers (charset ascii), but
 * copies comments as written; an escape there changes no code.
 */
async function asciiOnly(file) {
  const text = await readFile(file, "utf8");
  // Without the u flag the pattern matches UTF-16 code units, so an astral character becomes its two surrogate escapes.
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (ascii !== text) await writeFile(file, ascii);
}

/**
 * A berthd running the previous build loads its chunks when first needed (a
 * build, a pull): rebuilding under it must not take them away. The previous
 * build's chunks (those its main.mjs reaches) come along; their names are
 * content hashes, so they never clash, and older builds' are dropped.
 */
async function keepPreviousChunks(dir, next) {
  const seen = new Set();
  const visit = async (file) => {
    let text;
    try {
      text = await readFile(join(dir, file), "utf8");
    } catch (err) {
      if (err.code === "ENOENT") return;
      throw err;
    }
    for (const [chunk] of text.matchAll(/chunk-[A-Za-z0-9]+\.mjs/g)) {
      if (seen.has(chunk)) continue;
      seen.add(chunk);
      await visit(chunk);
    }
  };
  await visit("main.mjs");
  for (const chunk of seen) {
    await copyFile(join(dir, chunk), join(next, chunk), constants.COPYFILE_EXCL).catch((err) => {
      if (err.code !== "EEXIST" && err.code !== "ENOENT") throw err;
    });
  }
}

for (const b of bundles) await bundle(b);
