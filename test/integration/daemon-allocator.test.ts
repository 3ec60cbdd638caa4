// berthd runs on jemalloc, which bin/berthd preloads, and hands none of the
// allocator's variables on: conmon, runc and the containers start on their own
// libc's malloc. Needs root and Debian's libjemalloc2 (scripts/install.sh).
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startDaemon, type Daemon } from "./harness.js";

const ALLOCATOR_VARS = ["LD_PRELOAD", "MALLOC_CONF"];

const environ = (pid: number): string[] => readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
const mapsLibjemalloc = (pid: number): boolean => readFileSync(`/proc/${pid}/maps`, "utf8").includes("libjemalloc.so");

/** The first file named `name` under `dir` whose path contains `part`. */
function findFile(dir: string, name: string, part: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(path, name, part);
      if (found) return found;
    } else if (entry.name === name && path.includes(part)) return path;
  }
  return undefined;
}

describe("berthd's allocator", () => {
  let d: Daemon;
  before(async () => {
    d = await startDaemon();
  });
  after(async () => {
    await d.destroy();
  });

  it("is jemalloc in berthd", () => {
    const pid = Number(readFileSync(join(d.execRoot, "berthd.pid"), "utf8"));
    assert.ok(mapsLibjemalloc(pid), "libjemalloc is not mapped in berthd: is libjemalloc2 installed?");
  });

  it("is not handed to conmon or the container", async () => {
    const r = await d.berth(["run", "-d", "busybox", "sleep", "601"]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const conmonPidFile = findFile(d.execRoot, "conmon.pid", id);
    const initPidFile = findFile(d.execRoot, "pidfile", id);
    assert.ok(conmonPidFile && initPidFile, `no conmon.pid or pidfile for ${id} under ${d.execRoot}`);
    for (const [who, file] of [["conmon", conmonPidFile], ["the container's init", initPidFile]] as const) {
      const pid = Number(readFileSync(file, "utf8"));
      const handed = environ(pid).filter((kv) => ALLOCATOR_VARS.includes(kv.split("=")[0]!));
      assert.deepEqual(handed, [], `${who} (pid ${pid}) got ${handed.join(" ")}`);
      assert.ok(!mapsLibjemalloc(pid), `${who} (pid ${pid}) loaded jemalloc`);
    }
    assert.equal((await d.berth(["rm", "-f", id])).code, 0);
  });
});
