// SourceTree.select and checksum on the three tree kinds: the received
// context, a directory on disk (COPY --from) and heredoc files.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BuildContext, Selection, SourceTree } from "../../src/build/context/build-context.js";
import { createFsTree } from "../../src/build/context/fs-tree.js";
import { createMemoryTree } from "../../src/build/context/memory-tree.js";
import { receiveContext } from "../../src/build/context/receive-context.js";
import { NotFoundError } from "../../src/errors.js";
import { bufferStream, makeTar, type FixtureEntry } from "./build-context-tar-fixture.js";

const files: FixtureEntry[] = [
  { name: "a.txt", body: "a" },
  { name: "b.txt", body: "b" },
  { name: "c.md", body: "c" },
  { name: "dir/", type: "dir", mode: 0o700 },
  { name: "dir/x.txt", body: "x" },
  { name: "dir/sub/y.md", body: "y" },
  { name: "dir/sub/link", type: "symlink", linkname: "y.md" },
  { name: "dirlink", type: "symlink", linkname: "dir" },
  { name: "filelink", type: "symlink", linkname: "/a.txt" },
  { name: "[x]", body: "bracket" },
];

const shape = (sel: Selection): string[] =>
  sel.items.map((i) => `${i.entry.path}:${i.entry.type}${i.children.length ? ` [${i.children.map((c) => c.path).join(" ")}]` : ""}`);

describe("select and checksum", () => {
  let base: string;
  let ctx: BuildContext;
  let n = 0;
  const fresh = async (entries: FixtureEntry[]): Promise<BuildContext> => {
    const dir = join(base, `c${n++}`);
    mkdirSync(dir);
    return receiveContext(bufferStream(makeTar(entries)), { dir });
  };
  const opened: BuildContext[] = [];
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "berth-select-"));
    ctx = await fresh(files);
    opened.push(ctx);
  });
  after(async () => {
    for (const c of opened) await c.close();
    await rm(base, { recursive: true, force: true });
  });

  it("expands globs within one directory level, in name order", async () => {
    assert.deepEqual(shape(await ctx.select(["*.txt"])), ["a.txt:file", "b.txt:file"]);
    assert.deepEqual(shape(await ctx.select(["dir/*.txt"])), ["dir/x.txt:file"]);
    assert.deepEqual(shape(await ctx.select(["*/*/*.md"])), ["dir/sub/y.md:file"]);
    // Without a glob character the word is a literal name, backslash included (as dockerd).
    await assert.rejects(ctx.select(["\\[x]"]), NotFoundError);
    assert.deepEqual(shape(await ctx.select(["[[]x]"])), ["[x]:file"]);
  });

  it("gives a directory with everything beneath it, symlinks inside not followed", async () => {
    assert.deepEqual(shape(await ctx.select(["dir"])), ["dir:dir [dir/sub dir/sub/link dir/sub/y.md dir/x.txt]"]);
    const sel = await ctx.select(["dir"]);
    assert.equal(sel.items[0]!.children.find((c) => c.path === "dir/sub/link")?.type, "symlink");
    assert.equal(sel.items[0]!.entry.mode, 0o700);
  });

  it("follows a symlink named as a source, keeping the name it was given", async () => {
    assert.deepEqual(shape(await ctx.select(["filelink"])), ["filelink:file"]);
    assert.deepEqual(shape(await ctx.select(["dirlink"])), ["dirlink:dir [dirlink/sub dirlink/sub/link dirlink/sub/y.md dirlink/x.txt]"]);
    const sel = await ctx.select(["dirlink"]);
    const x = sel.items[0]!.children.find((c) => c.path === "dirlink/x.txt")!;
    const chunks: Buffer[] = [];
    for await (const c of await ctx.open(x)) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "x");
  });

  it("cleans sources: leading / and ./, and . for the whole context", async () => {
    assert.deepEqual(shape(await ctx.select(["/a.txt", "./b.txt", "dir/../c.md"])), ["a.txt:file", "b.txt:file", "c.md:file"]);
    const all = await ctx.select(["."]);
    assert.equal(all.items[0]!.entry.path, "");
    assert.equal(all.items[0]!.children.length, 11);
  });

  it("applies --exclude like .dockerignore, relative to what is copied", async () => {
    assert.deepEqual(shape(await ctx.select(["*"], { exclude: ["*.txt", "dir*", "filelink"] })), ["[x]:file", "c.md:file"]);
    assert.deepEqual(shape(await ctx.select(["dir"], { exclude: ["**/*.md", "sub/link"] })), ["dir:dir [dir/sub dir/x.txt]"]);
  });

  it("throws NotFoundError for a missing source and when a glob matches nothing at all", async () => {
    await assert.rejects(ctx.select(["a.txt", "nope.txt"]), NotFoundError);
    assert.deepEqual(shape(await ctx.select(["a.txt", "zz*"])), ["a.txt:file"]);
    await assert.rejects(ctx.select(["zz*"]), NotFoundError);
  });

  it("checksums content, names, modes and types, not mtimes or owners", async () => {
    const sum = async (entries: FixtureEntry[], sources = ["."]): Promise<string> => {
      const c = await fresh(entries);
      opened.push(c);
      return c.checksum(await c.select(sources));
    };
    const baseEntries: FixtureEntry[] = [
      { name: "d/", type: "dir" },
      { name: "d/f", body: "one", mode: 0o644 },
      { name: "d/l", type: "symlink", linkname: "f" },
    ];
    const ref = await sum(baseEntries);
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await sum(baseEntries.map((e) => ({ ...e, mtime: 1, uid: 1000, gid: 1000 }))), ref);
    assert.notEqual(await sum(baseEntries.map((e) => (e.name === "d/f" ? { ...e, body: "two" } : e))), ref);
    assert.notEqual(await sum(baseEntries.map((e) => (e.name === "d/f" ? { ...e, mode: 0o755 } : e))), ref);
    assert.notEqual(await sum(baseEntries.map((e) => (e.name === "d/f" ? { ...e, name: "d/g" } : e))), ref);
    assert.notEqual(await sum(baseEntries.map((e) => (e.name === "d/l" ? { ...e, linkname: "g" } : e))), ref);
    // The copied directory's own name does not matter for COPY d /x, its contents do.
    assert.notEqual(await sum(baseEntries, ["d"]), ref);
  });

  it("works the same on a directory on disk, never leaving it through a symlink", async () => {
    const root = join(base, "rootfs");
    mkdirSync(join(root, "etc"), { recursive: true });
    writeFileSync(join(root, "etc/conf"), "conf");
    chmodSync(join(root, "etc/conf"), 0o640);
    symlinkSync("/etc", join(root, "etclink"));
    symlinkSync("../../../../../../etc/hostname", join(root, "escape"));
    writeFileSync(join(base, "secret"), "host secret");
    symlinkSync(join(base, "secret"), join(root, "hostlink"));
    const tree: SourceTree = createFsTree(root);
    assert.deepEqual(shape(await tree.select(["etclink"])), ["etclink:dir [etclink/conf]"]);
    const sel = await tree.select(["etclink/conf"]);
    assert.equal(sel.items[0]!.entry.mode, 0o640);
    const chunks: Buffer[] = [];
    for await (const c of await tree.open(sel.items[0]!.entry)) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "conf");
    await assert.rejects(tree.select(["escape"]), NotFoundError);
    await assert.rejects(tree.select(["hostlink"]), NotFoundError);
    const a = await tree.checksum(await tree.select(["etc"]));
    writeFileSync(join(root, "etc/conf"), "changed");
    const b = await createFsTree(root).checksum(await createFsTree(root).select(["etc"]));
    assert.notEqual(a, b);
  });

  it("serves heredoc files from memory", async () => {
    const tree = createMemoryTree([{ name: "EOF", content: Buffer.from("hello\n") }, { name: "run.sh", content: Buffer.from("#!/bin/sh\n"), mode: 0o755 }]);
    assert.deepEqual(shape(await tree.select(["EOF", "run.sh"])), ["EOF:file", "run.sh:file"]);
    const sel = await tree.select(["run.sh"]);
    assert.equal(sel.items[0]!.entry.mode, 0o755);
    const chunks: Buffer[] = [];
    for await (const c of await tree.open(sel.items[0]!.entry)) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "#!/bin/sh\n");
    assert.match(await tree.checksum(sel), /^sha256:/);
  });
});
