// receiveContext: the POST /build body in every form dockerd accepts, path
// cleaning, the index, readFile, materialize, and what select/checksum make of it.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstatSync, readFileSync, readlinkSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BuildContext } from "../../src/build/context/build-context.js";
import { receiveContext } from "../../src/build/context/receive-context.js";
import { InvalidArgumentError, NotFoundError } from "../../src/errors.js";
import { bufferStream, makeTar, type FixtureEntry } from "./build-context-tar-fixture.js";

const sample: FixtureEntry[] = [
  { name: "./Dockerfile", body: "FROM scratch\n" },
  { name: "./src//", type: "dir", mode: 0o750 },
  { name: "./src/app.js", body: "console.log(1)\n", mode: 0o755 },
  { name: "deep/er/file.txt", body: "deep" },
  { name: "link", type: "symlink", linkname: "src/app.js" },
  { name: "outlink", type: "symlink", linkname: "../../../etc/passwd" },
  { name: "abslink", type: "symlink", linkname: "/src/app.js" },
  { name: "hard", type: "link", linkname: "src/app.js" },
];

describe("receiveContext", () => {
  let base: string;
  let n = 0;
  const contexts: BuildContext[] = [];
  const receive = async (body: Buffer): Promise<BuildContext> => {
    const dir = join(base, `ctx${n++}`);
    execFileSync("mkdir", [dir]);
    const ctx = await receiveContext(bufferStream(body), { dir });
    contexts.push(ctx);
    return ctx;
  };
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-ctx-"));
  });
  after(async () => {
    for (const c of contexts) await c.close();
    await rm(base, { recursive: true, force: true });
  });

  for (const [kind, encode] of [
    ["plain", (b: Buffer) => b],
    ["gzip", (b: Buffer) => gzipSync(b)],
    ["xz", (b: Buffer) => execFileSync("xz", ["-c"], { input: b })],
    ["bzip2", (b: Buffer) => execFileSync("bzip2", ["-c"], { input: b })],
  ] as const) {
    it(`reads a ${kind} tar`, async () => {
      const ctx = await receive(encode(makeTar(sample)));
      assert.equal((await ctx.readFile("Dockerfile"))?.toString(), "FROM scratch\n");
      assert.equal((await ctx.readFile("./src/app.js"))?.toString(), "console.log(1)\n");
      assert.equal((await ctx.readFile("hard"))?.toString(), "console.log(1)\n");
    });
  }

  it("takes a body that is no archive as the Dockerfile, and an empty body as an empty context", async () => {
    const ctx = await receive(Buffer.from("FROM busybox\nRUN true\n"));
    assert.equal((await ctx.readFile("Dockerfile"))?.toString(), "FROM busybox\nRUN true\n");
    const empty = await receive(Buffer.alloc(0));
    assert.equal(await empty.readFile("Dockerfile"), undefined);
  });

  it("follows symlinks only inside the context when reading a file", async () => {
    const ctx = await receive(makeTar(sample));
    assert.equal((await ctx.readFile("link"))?.toString(), "console.log(1)\n");
    assert.equal((await ctx.readFile("abslink"))?.toString(), "console.log(1)\n");
    // ../../../etc/passwd stops at the context root: there is no etc/passwd in the context.
    assert.equal(await ctx.readFile("outlink"), undefined);
    assert.equal(await ctx.readFile("src"), undefined);
    await assert.rejects(ctx.readFile("../Dockerfile"), InvalidArgumentError);
  });

  it("refuses entries that climb out of the context", async () => {
    for (const name of ["../evil", "a/../../evil"]) {
      await assert.rejects(receive(makeTar([{ name, body: "x" }])), (err: Error) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /outside the context/);
        return true;
      });
    }
  });

  it("indexes implied directories and cleaned names for select", async () => {
    const ctx = await receive(makeTar(sample));
    const sel = await ctx.select(["deep"]);
    assert.deepEqual(
      sel.items[0]!.children.map((c) => `${c.path} ${c.type} ${c.mode.toString(8)}`),
      ["deep/er dir 755", "deep/er/file.txt file 644"],
    );
    const src = await ctx.select(["/src/"]);
    assert.equal(src.items[0]!.entry.mode, 0o750);
    assert.deepEqual(src.items[0]!.children.map((c) => c.path), ["src/app.js"]);
  });

  it("materializes the context as a directory", async () => {
    const ctx = await receive(makeTar(sample));
    const dir = await ctx.materialize();
    assert.equal(await ctx.materialize(), dir);
    assert.deepEqual(readdirSync(dir).sort(), ["Dockerfile", "abslink", "deep", "hard", "link", "outlink", "src"]);
    assert.equal(readFileSync(join(dir, "hard"), "utf8"), "console.log(1)\n");
    assert.equal(readlinkSync(join(dir, "outlink")), "../../../etc/passwd");
    assert.equal(lstatSync(join(dir, "src")).mode & 0o7777, 0o750);
  });

  it("receives 2,000 files / 20 MB quickly (timing reported, not asserted)", async (t) => {
    const entries: FixtureEntry[] = [];
    const body = Buffer.alloc(10_000, "x");
    for (let i = 0; i < 2000; i++) entries.push({ name: `d${i % 40}/f${i}`, body });
    const tar = makeTar(entries);
    const dir = join(base, "perf");
    execFileSync("mkdir", [dir]);
    // Raw I/O baseline: the same bytes written to a file in the same directory.
    const t0 = performance.now();
    execFileSync("dd", [`of=${join(dir, "raw")}`, "bs=1M", "status=none"], { input: tar });
    const raw = performance.now() - t0;
    const t1 = performance.now();
    const ctx = await receiveContext(bufferStream(tar), { dir });
    const took = performance.now() - t1;
    contexts.push(ctx);
    t.diagnostic(`receive 2000 files / ${(tar.length / 1e6).toFixed(1)} MB: ${took.toFixed(1)} ms (dd of the same bytes: ${raw.toFixed(1)} ms)`);
    const sel = await ctx.select(["d7"]);
    assert.equal(sel.items[0]!.children.length, 50);
  });

  it("hides the Dockerfile and .dockerignore from COPY when .dockerignore lists them, as dockerd does", async () => {
    const tar = makeTar([
      { name: "Dockerfile", body: "FROM scratch\n" },
      { name: ".dockerignore", body: "Dockerfile\n.dockerignore\n" },
      { name: "app", body: "app" },
    ]);
    const dir = join(base, `ctx${n++}`);
    execFileSync("mkdir", [dir]);
    const ctx = await receiveContext(bufferStream(tar), { dir, dockerfile: "Dockerfile" });
    contexts.push(ctx);
    assert.deepEqual((await ctx.select(["."])).items[0]!.children.map((c) => c.path), ["app"]);
    assert.equal((await ctx.readFile("Dockerfile"))?.toString(), "FROM scratch\n");
    // Without the option (or without matching patterns) nothing is hidden.
    const plain = await receive(tar);
    assert.equal((await plain.select(["."])).items[0]!.children.length, 3);
  });

  it("says which source is missing, as dockerd does", async () => {
    const ctx = await receive(makeTar(sample));
    await assert.rejects(ctx.select(["nope"]), (err: Error) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.message, "file not found in build context or excluded by .dockerignore: stat nope: file does not exist");
      return true;
    });
    await assert.rejects(ctx.select(["outlink"]), NotFoundError);
    await assert.rejects(ctx.select(["zz*"]), /no source files were specified/);
    await assert.rejects(ctx.select(["src/../../x"]), /forbidden path outside the build context: src\/\.\.\/\.\.\/x \(\)/);
  });
});
