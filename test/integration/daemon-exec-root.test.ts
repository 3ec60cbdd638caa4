// berthd keeps its exec root in memory (daemon/exec-root.ts): a tmpfs on an
// empty directory, never over state already there. Needs root.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statfsSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ensureExecRootInMemory } from "../../src/daemon/exec-root.js";
import type { Logger } from "../../src/daemon/logger.js";
import { unmount } from "../../src/mount/mount.js";
import { startDaemon, type Daemon } from "./harness.js";

const TMPFS_MAGIC = 0x01021994;
const mountCount = (dir: string) =>
  readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line.split(" ")[4] === dir).length;

describe("exec root", () => {
  let base: string;
  const said: string[] = [];
  const log: Logger = (level, msg) => said.push(`${level}: ${msg}`);

  before(async () => {
    base = await mkdtemp(join(tmpdir(), "bt-execroot-"));
  });
  after(async () => {
    for (const dir of ["empty", "used"]) await unmount(join(base, dir), { lazy: true });
    await rm(base, { recursive: true, force: true });
  });

  it("mounts a tmpfs on an empty directory, once", async () => {
    const dir = join(base, "empty");
    mkdirSync(dir);
    assert.notEqual(statfsSync(dir).type, TMPFS_MAGIC, "the test needs a temp dir on disk");
    await ensureExecRootInMemory(dir, log);
    assert.equal(statfsSync(dir).type, TMPFS_MAGIC);
    writeFileSync(join(dir, "berthd.pid"), "1");
    await ensureExecRootInMemory(dir, log);
    assert.equal(mountCount(dir), 1, "a second start finds the tmpfs and mounts nothing");
    assert.equal(readFileSync(join(dir, "berthd.pid"), "utf8"), "1");
  });

  it("leaves a directory that holds state on disk, and says so", async () => {
    const dir = join(base, "used");
    mkdirSync(join(dir, "runc"), { recursive: true });
    await ensureExecRootInMemory(dir, log);
    assert.notEqual(statfsSync(dir).type, TMPFS_MAGIC);
    assert.equal(mountCount(dir), 0);
    assert.ok(said.some((s) => s.startsWith("info: the exec root is not a tmpfs")), said.join("\n"));
  });
});

describe("berthd's exec root", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.destroy();
  });

  it("is a tmpfs that survives a restart of berthd with its containers", async () => {
    assert.equal(statfsSync(d.execRoot).type, TMPFS_MAGIC);
    const r = await d.berth(["run", "-d", "--name", "keeps", "busybox", "sleep", "300"]);
    assert.equal(r.code, 0, r.stderr);
    await d.kill("SIGKILL");
    await d.restart();
    assert.equal(mountCount(d.execRoot), 1);
    const ps = await d.berth(["ps", "--format", "{{.Names}} {{.State}}"]);
    assert.match(ps.stdout, /^keeps running$/m);
    const exec = await d.berth(["exec", "keeps", "echo", "still here"]);
    assert.equal(exec.stdout.trim(), "still here");
  });
});
