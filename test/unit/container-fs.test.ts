// The pure parts of cp and commit: docker's path rules, the stat encoding, the config merge.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lstat, mkdtemp, rm, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { prepareCopy, splitCpArg } from "../../src/cli/commands/cp.js";
import { mergeConfig } from "../../src/container/fs/commit-config.js";
import { goFileMode, rfc3339Nano } from "../../src/container/fs/path-stat.js";

test("splitCpArg: container paths, local paths starting with / or .", () => {
  assert.deepEqual(splitCpArg("c:/a"), { container: "c", path: "/a" });
  assert.deepEqual(splitCpArg("/x:y"), { path: "/x:y" });
  assert.deepEqual(splitCpArg("./c:d"), { path: "./c:d" });
  assert.deepEqual(splitCpArg("-"), { path: "-" });
});

test("prepareCopy follows docker's rules", () => {
  const src = (p: string, isDir: boolean) => ({ path: p, exists: true, isDir });
  assert.deepEqual(prepareCopy(src("/d", true), { path: "/t", exists: true, isDir: true }), { dstDir: "/t", from: "d", to: "d" });
  assert.deepEqual(prepareCopy(src("/d", true), { path: "/t/new", exists: false, isDir: false }), { dstDir: "/t", from: "d", to: "new" });
  assert.deepEqual(prepareCopy(src("/d/.", true), { path: "/t/new", exists: false, isDir: false }), { dstDir: "/t", from: ".", to: "new" });
  assert.deepEqual(prepareCopy(src("/f", false), { path: "/t/g", exists: true, isDir: false }), { dstDir: "/t", from: "f", to: "g" });
  assert.throws(() => prepareCopy(src("/d", true), { path: "/t/g", exists: true, isDir: false }), /cannot copy directory/);
  assert.throws(() => prepareCopy(src("/f", false), { path: "/t/none/", exists: false, isDir: false }), /no such directory/);
});

test("goFileMode and rfc3339Nano encode as Go does", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "berth-fsu-"));
  try {
    await symlink("/", path.join(dir, "l"));
    assert.equal(goFileMode(await lstat(path.join(dir, "l"), { bigint: true })), 134218239);
    const st = await lstat(dir, { bigint: true });
    assert.equal(goFileMode(st), 2 ** 31 + Number(st.mode & 0o777n));
    assert.match(rfc3339Nano(st), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?Z$/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test("mergeConfig completes the user's config from the container's, as dockerd", () => {
  const merged = mergeConfig({ Env: ["A=1"] }, { Env: ["A=0", "PATH=/bin"], Cmd: ["sh"], WorkingDir: "/w", Labels: { l: "1" } });
  assert.deepEqual(merged.Env, ["A=1", "PATH=/bin"]);
  assert.deepEqual(merged.Cmd, ["sh"]);
  assert.equal(merged.WorkingDir, "/w");
  assert.deepEqual(merged.Labels, { l: "1" });
  assert.deepEqual(mergeConfig({ Entrypoint: ["e"] }, { Cmd: ["sh"] }).Cmd, undefined);
});
