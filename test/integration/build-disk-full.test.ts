// Builds on a full disk: the data root is a small tmpfs, mostly taken by a
// filler file. A context too big to spool, and a COPY whose layer does not
// fit, each fail with "no space left on device" and leave no blob, ingest
// file, snapshot or mount behind; once the filler goes, the same build works.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { importBusybox, startDaemon, type Daemon } from "./harness.js";
import { census, type Census } from "./bad-input-fixtures.js";
import { buildDebris, makeContext, removeContext } from "./build-fixtures.js";

const MiB = 1 << 20;

describe("builds on a full disk", () => {
  let d: Daemon;
  let mounted = false;
  let baseline: Census;
  let filler: string;
  const dirs: string[] = [];

  before(async () => {
    d = await startDaemon({ busybox: false });
    await d.kill("SIGTERM");
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=96m,mode=0711", "berth-test-build-full", d.dataRoot]);
    mounted = true;
    await d.restart();
    await importBusybox(d);
    filler = join(d.dataRoot, "filler");
    const st = await statfs(d.dataRoot);
    // 12 MiB left: a 6 MiB file's context fits, its layer blob and unpacked copy as well do not.
    await writeFile(filler, Buffer.alloc(st.bavail * st.bsize - 12 * MiB));
    baseline = census(d.dataRoot);
  });
  after(async () => {
    if (d) await d.kill("SIGTERM");
    if (mounted) execFileSync("umount", [d.dataRoot]);
    await d?.destroy();
    for (const dir of dirs) await removeContext(dir);
  });

  const context = async (size: number): Promise<string> => {
    const dir = await makeContext({ Dockerfile: "FROM busybox\nCOPY big.bin /big.bin\n" });
    await writeFile(join(dir, "big.bin"), randomBytes(size));
    dirs.push(dir);
    return dir;
  };

  test("a context that cannot be spooled fails cleanly", async () => {
    const r = await d.berth(["build", await context(20 * MiB)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no space left on device/i);
    assert.deepEqual(census(d.dataRoot), baseline);
    assert.deepEqual(await buildDebris(d), []);
  });

  test("a COPY whose layer does not fit fails cleanly, and works once there is room", async () => {
    const dir = await context(6 * MiB);
    const r = await d.berth(["build", "-t", "fits-later", dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no space left on device/i);
    assert.deepEqual(census(d.dataRoot), baseline);
    assert.deepEqual(await buildDebris(d), []);
    await rm(filler);
    const ok = await d.berth(["build", "-t", "fits-later", dir]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    const wc = await d.berth(["run", "--rm", "fits-later", "wc", "-c", "/big.bin"]);
    assert.equal(wc.stdout.trim(), `${6 * MiB} /big.bin`, `exit ${wc.code}: ${wc.stderr}\n${d.log().split("\n").filter((l) => /"level":"(error|warn)"/.test(l)).join("\n")}`);
  });
});
