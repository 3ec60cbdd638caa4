// The build cache: what reuses a step and what does not, across daemon
// restarts, and `builder prune` / `system df`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startDaemon, type Daemon } from "./harness.js";
import { builtId, cachedSteps, makeContext, removeContext, writeFiles } from "./build-fixtures.js";

const dockerfile = [
  "FROM busybox",
  "ARG FLAVOUR=plain",
  "COPY config.txt /app/",
  "RUN echo $FLAVOUR > /flavour.txt",
  "COPY src/ /app/src/",
  "RUN ls /app/src | wc -l > /count.txt",
  'CMD ["cat", "/flavour.txt"]',
  "",
].join("\n");

describe("build cache", () => {
  let d: Daemon;
  let dir: string;
  before(async () => {
    d = await startDaemon();
    dir = await makeContext({
      Dockerfile: dockerfile,
      "config.txt": "v1\n",
      "src/a.txt": "a\n",
      "src/b.txt": "b\n",
      "notes.md": "ignored\n",
      ".dockerignore": "*.md\n",
    });
  });
  after(async () => {
    await removeContext(dir);
    await d?.destroy();
  });

  const build = async (...extra: string[]) => {
    const r = await d.berth(["build", ...extra, "-t", "cached", dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    return { out: r.stdout, id: builtId(r.stdout) };
  };

  test("a rebuild with nothing changed reuses every step and gives the same image", async () => {
    const first = await build();
    assert.equal(cachedSteps(first.out), 0);
    const second = await build();
    assert.equal(cachedSteps(second.out), 6);
    assert.equal(second.id, first.id);
  });

  test("changing a copied file misses from its COPY on; the steps before stay cached", async () => {
    const before = await build();
    await writeFiles(dir, { "src/b.txt": "changed\n" });
    const after = await build();
    assert.equal(cachedSteps(after.out), 3, after.out); // ARG, COPY config.txt, RUN flavour
    assert.notEqual(after.id, before.id);
  });

  test("a file's mode is part of the checksum; its mtime is not", async () => {
    const base = await build();
    await writeFiles(dir, { "src/b.txt": "changed\n" }); // same content, new mtime
    assert.equal((await build()).id, base.id);
    await writeFiles(dir, { "src/b.txt": { content: "changed\n", mode: 0o755 } });
    const moded = await build();
    assert.equal(cachedSteps(moded.out), 3);
  });

  test("a build-arg change misses the RUN that sees it", async () => {
    await build();
    const spicy = await build("--build-arg", "FLAVOUR=spicy");
    // ARG and the first COPY still hit; the RUN that echoes $FLAVOUR does not.
    assert.equal(cachedSteps(spicy.out), 2, spicy.out);
    assert.equal((await d.berth(["run", "--rm", "cached"])).stdout, "spicy\n");
  });

  test("a changed instruction misses; .dockerignored files never bust the cache", async () => {
    await build();
    await writeFiles(dir, { "notes.md": "still ignored, changed\n" });
    assert.equal(cachedSteps((await build()).out), 6);
    await writeFiles(dir, { Dockerfile: dockerfile.replace("wc -l", "wc -w") });
    const changed = await build();
    assert.equal(cachedSteps(changed.out), 4, changed.out);
    await writeFiles(dir, { Dockerfile: dockerfile, ".dockerignore": "*.md\nsrc/a.txt\n" });
    const ignored = await build();
    assert.equal(cachedSteps(ignored.out), 3, "ignoring a copied file changes the COPY's checksum");
    await writeFiles(dir, { ".dockerignore": "*.md\n" });
  });

  test("--no-cache runs every step", async () => {
    const r = await build("--no-cache");
    assert.equal(cachedSteps(r.out), 0);
  });

  test("the cache survives a daemon restart", async () => {
    const before = await build();
    await d.restart();
    const again = await build();
    assert.equal(cachedSteps(again.out), 6);
    assert.equal(again.id, before.id);
  });

  test("system df shows the build cache and builder prune reclaims it", async () => {
    await build();
    const df = await d.berth(["system", "df", "--format", "{{.Type}} {{.TotalCount}}"]);
    assert.equal(df.code, 0, df.stderr);
    const cacheLine = df.stdout.split("\n").find((l) => l.startsWith("Build Cache"));
    assert.ok(cacheLine && Number(cacheLine.split(" ").at(-1)) > 0, df.stdout);
    const prune = await d.berth(["builder", "prune", "-a", "-f"]);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /Total reclaimed space:/);
    const after = await build();
    assert.equal(cachedSteps(after.out), 0, "nothing is cached after a prune");
    // The image that was built keeps working: prune never takes an image's layers.
    assert.equal((await d.berth(["run", "--rm", "cached"])).code, 0);
  });
});
