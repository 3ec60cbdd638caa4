// The layering of DESIGN.md, enforced: a folder may import (at run time) only
// from folders below it. `import type` is allowed across layers — types carry
// the API contract — but code never reaches upward.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const src = resolve(fileURLToPath(import.meta.url), "../../../../src");

// Lower number = lower layer. Peers share a number and may not import each other.
const rank: Record<string, number> = {
  errors: -1,
  oci: 0,
  "api/types": 0,
  store: 1,
  content: 1,
  archive: 1,
  mount: 2,
  registry: 2,
  snapshot: 3,
  image: 4,
  runtime: 4,
  network: 4,
  volume: 4,
  container: 5,
  api: 6,
  build: 6,
  daemon: 7,
  client: 6,
  cli: 8,
};

function folderOf(file: string): string {
  const rel = relative(src, file).replace(/\\/g, "/");
  if (rel.startsWith("api/types/")) return "api/types";
  const top = rel.split("/")[0]!;
  return top.replace(/\.(ts|js)$/, "");
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith(".ts")) yield p;
  }
}

test("no folder imports code from a higher or peer layer", () => {
  const violations: string[] = [];
  for (const file of walk(src)) {
    const from = folderOf(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"(\.[^"]+)"/gms)) {
      const target = folderOf(resolve(dirname(file), m[1]!));
      if (target === from) continue;
      const a = rank[from];
      const b = rank[target];
      assert.ok(a !== undefined, `unknown folder ${from} (add it to the layering table)`);
      assert.ok(b !== undefined, `unknown folder ${target} (add it to the layering table)`);
      if (!(b < a)) violations.push(`${relative(src, file)} imports ${m[1]} (${from} → ${target})`);
    }
  }
  assert.deepEqual(violations, []);
});
