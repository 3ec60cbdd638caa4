// Mount specifications as dockerd parses them (container/mounts.ts) and as the
// docker CLI turns -v/--mount/--volumes-from into the create body
// (cli/commands/volume-flags.ts): tables of docker's cases and error words.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { normalizeArgs } from "../../src/cli/args.js";
import { addRunFlags, type RunFlags } from "../../src/cli/commands/run.js";
import { buildCreateRequest } from "../../src/cli/commands/container-flags.js";
import { csvFields, parseMount } from "../../src/cli/commands/volume-flags.js";
import { parseBind, parseMountSpec, parseVolumesFrom, tmpfsData, type MountPoint } from "../../src/container/mounts.js";

const bindDefaults = { source: "", name: "", driver: "", mode: "", rw: true, propagation: "", copyData: false, anonymous: false };

describe("-v / HostConfig.Binds", () => {
  const ok: [string, Partial<MountPoint>][] = [
    ["/data", { type: "volume", destination: "/data", driver: "local", copyData: true, anonymous: true }],
    ["/data/", { type: "volume", destination: "/data", driver: "local", copyData: true, anonymous: true }],
    ["vol:/data", { type: "volume", destination: "/data", name: "vol", driver: "local", copyData: true }],
    ["vol:/data:ro", { type: "volume", destination: "/data", name: "vol", driver: "local", mode: "ro", rw: false, copyData: true }],
    ["vol:/data:nocopy", { type: "volume", destination: "/data", name: "vol", driver: "local", mode: "nocopy", copyData: false }],
    ["vol:/data:rw,z", { type: "volume", destination: "/data", name: "vol", driver: "local", mode: "rw,z", copyData: true }],
    ["/host:/ctr", { type: "bind", destination: "/ctr", source: "/host", propagation: "rprivate", createSource: true }],
    ["/host/./a/:/ctr/../x:ro", { type: "bind", destination: "/x", source: "/host/a", mode: "ro", rw: false, propagation: "rprivate", createSource: true }],
    ["/host:/ctr:ro,rslave", { type: "bind", destination: "/ctr", source: "/host", mode: "ro,rslave", rw: false, propagation: "rslave", createSource: true }],
  ];
  for (const [raw, want] of ok) {
    it(`reads ${raw}`, () => assert.deepEqual(parseBind(raw), { ...bindDefaults, ...want }));
  }

  const bad: [string, string][] = [
    ["", "invalid volume specification: ''"],
    [":/x", "invalid volume specification: ':/x'"],
    ["a:b:c:d", "invalid volume specification: 'a:b:c:d'"],
    ["/data:ro", "invalid volume specification: '/data:ro'"],
    ["vol:/data:rx", "invalid mode: rx"],
    ["vol:/data:ro,rw", "invalid mode: ro,rw"],
    ["/host:ctr", `invalid volume specification: '/host:ctr': invalid mount config for type "bind": invalid mount path: 'ctr' mount path must be absolute`],
    ["vol:relative", `invalid volume specification: 'vol:relative': invalid mount config for type "volume": invalid mount path: 'relative' mount path must be absolute`],
    ["/host:/", `invalid volume specification: '/host:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`],
    ["vol:/data:shared", `invalid volume specification: 'vol:/data:shared': invalid mount config for type "volume": field BindOptions must not be specified`],
  ];
  for (const [raw, message] of bad) {
    it(`refuses ${JSON.stringify(raw)}`, () => assert.throws(() => parseBind(raw), { name: "InvalidArgumentError", message }));
  }
});

describe("--mount / HostConfig.Mounts", () => {
  const exists = (p: string) => p === "/there";
  it("reads a bind with its propagation", () => {
    assert.deepEqual(parseMountSpec({ Type: "bind", Source: "/there", Target: "/x/", ReadOnly: true, BindOptions: { Propagation: "rshared" } }, { exists }), {
      ...bindDefaults,
      type: "bind",
      source: "/there",
      destination: "/x",
      rw: false,
      propagation: "rshared",
    });
  });
  it("reads volumes, named and anonymous, with their options", () => {
    assert.deepEqual(
      parseMountSpec({ Type: "volume", Source: "v", Target: "/v", VolumeOptions: { NoCopy: true, Labels: { a: "b" }, DriverConfig: { Options: { type: "tmpfs" } } } }),
      { ...bindDefaults, type: "volume", destination: "/v", name: "v", driver: "local", volumeLabels: { a: "b" }, volumeOptions: { type: "tmpfs" } },
    );
    assert.equal(parseMountSpec({ Type: "volume", Target: "/v" }).anonymous, true);
  });
  it("reads a tmpfs with size and mode as dockerd converts them", () => {
    assert.equal(parseMountSpec({ Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 64 * 2 ** 20, Mode: 0o1777 } }).tmpfsData, "mode=1777,size=64m");
    assert.equal(tmpfsData({ SizeBytes: 2 ** 30 }, true), "ro,size=1g");
    assert.equal(tmpfsData({ SizeBytes: 1000 }, false), "size=1000");
    assert.equal(tmpfsData({ SizeBytes: 3 * 1024 }, false), "size=3k");
  });

  const bad: [Parameters<typeof parseMountSpec>[0], string][] = [
    [{ Type: "bind", Source: "/missing", Target: "/x" }, `invalid mount config for type "bind": bind source path does not exist: /missing`],
    [{ Type: "bind", Target: "/x" }, `invalid mount config for type "bind": field Source must not be empty`],
    [{ Type: "bind", Source: "rel", Target: "/x" }, `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`],
    [{ Type: "bind", Source: "/there", Target: "/x", VolumeOptions: {} }, `invalid mount config for type "bind": field VolumeOptions must not be specified`],
    [{ Type: "volume", Source: "v" }, `invalid mount config for type "volume": field Target must not be empty`],
    [{ Type: "volume", Target: "/v", ReadOnly: true }, `invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes`],
    [{ Type: "tmpfs", Source: "x", Target: "/t" }, `invalid mount config for type "tmpfs": field Source must not be specified`],
    [{ Type: "npipe", Target: "/t" }, `invalid mount config for type "npipe": mount type unknown`],
  ];
  for (const [m, message] of bad) {
    it(`refuses ${JSON.stringify(m)}`, () => assert.throws(() => parseMountSpec(m, { exists }), { name: "InvalidArgumentError", message }));
  }
});

describe("--volumes-from", () => {
  it("reads the container and its mode", () => {
    assert.deepEqual(parseVolumesFrom("data"), { id: "data", rw: true });
    assert.deepEqual(parseVolumesFrom("data:ro"), { id: "data", rw: false });
    assert.deepEqual(parseVolumesFrom("data:rw"), { id: "data", rw: true });
  });
  it("refuses what dockerd refuses", () => {
    assert.throws(() => parseVolumesFrom(""), { message: "volumes-from specification cannot be an empty string" });
    assert.throws(() => parseVolumesFrom("data:xx"), { message: "invalid mode: xx" });
    assert.throws(() => parseVolumesFrom("data:rshared"), { message: "invalid volume specification: 'data:rshared'" });
  });
});

describe("CLI --mount (docker's CSV syntax)", () => {
  const ok: [string, object][] = [
    ["type=bind,source=/a,target=/b,readonly", { Type: "bind", Source: "/a", Target: "/b", ReadOnly: true }],
    ["type=bind,src=/a,dst=/b,ro=false,bind-propagation=RSLAVE", { Type: "bind", Source: "/a", Target: "/b", ReadOnly: false, BindOptions: { Propagation: "rslave" } }],
    ["source=v,destination=/v,volume-nocopy,volume-label=a=b,volume-opt=type=tmpfs,volume-opt=o=size=1m", {
      Type: "volume", Source: "v", Target: "/v",
      VolumeOptions: { NoCopy: true, Labels: { a: "b" }, DriverConfig: { Options: { type: "tmpfs", o: "size=1m" } } },
    }],
    ["type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770", { Type: "tmpfs", Target: "/t", TmpfsOptions: { SizeBytes: 64 * 2 ** 20, Mode: 0o1770 } }],
    ['type=volume,target=/v,"volume-opt=o=size=1m,uid=1000"', { Type: "volume", Target: "/v", VolumeOptions: { DriverConfig: { Options: { o: "size=1m,uid=1000" } } } }],
    ["type=bind,source=./here,target=/b", { Type: "bind", Source: "/work/here", Target: "/b" }],
  ];
  for (const [value, want] of ok) {
    it(`reads ${value}`, () => assert.deepEqual(parseMount(value, "/work"), want));
  }
  const bad: [string, string][] = [
    ["type=bind,source=/a", "target is required"],
    ["type=,target=/a", "type is required"],
    ["type=bind,target=/a,bogus", "invalid field 'bogus' must be a key=value pair"],
    ["type=bind,target=/a,color=red", "unexpected key 'color' in 'color=red'"],
    ["type=bind,target=/a,readonly=maybe", "invalid value for readonly: maybe"],
    ["type=tmpfs,target=/a,tmpfs-size=lots", "invalid value for tmpfs-size: lots"],
    ["type=tmpfs,target=/a,tmpfs-mode=999", "invalid value for tmpfs-mode: 999"],
    ["type=bind,target=/a,volume-nocopy", "cannot mix 'volume-*' options with mount type 'bind'"],
    ["type=volume,target=/a,bind-propagation=shared", "cannot mix 'bind-*' options with mount type 'volume'"],
    ["type=volume,target=/a,tmpfs-size=1m", "cannot mix 'tmpfs-*' options with mount type 'volume'"],
  ];
  for (const [value, message] of bad) {
    it(`refuses ${value}`, () => assert.throws(() => parseMount(value), { message }));
  }
  it("splits CSV as Go does", () => {
    assert.deepEqual(csvFields('a,"b,c",d'), ["a", "b,c", "d"]);
    assert.deepEqual(csvFields('"say ""hi""",x'), ['say "hi"', "x"]);
    assert.throws(() => csvFields('a"b'), /bare " in non-quoted-field/);
  });
});

describe("run -v/--mount/--volumes-from into the create body", () => {
  function parseRun(argv: string[]) {
    const cmd = addRunFlags(new Command("run")).exitOverride().configureOutput({ writeErr: () => undefined });
    cmd.allowExcessArguments(true).action(() => undefined);
    cmd.parse(normalizeArgs(cmd, argv), { from: "user" });
    return buildCreateRequest(cmd.args, cmd.opts<RunFlags>(), {}).body;
  }

  it("sends anonymous volumes in Config.Volumes and the rest as binds", async () => {
    const dir = await mkdtemp(join(tmpdir(), "berth-vspec-"));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      const body = parseRun(["-v", "/anon", "-v", "vol:/v:ro", "-v", "./rel:/r", "-v", "/h:/h", "--volumes-from", "c1:ro", "busybox"]);
      assert.deepEqual(body.Volumes, { "/anon": {} });
      assert.deepEqual(body.HostConfig?.Binds, ["vol:/v:ro", `${join(dir, "rel")}:/r`, "/h:/h"]);
      assert.deepEqual(body.HostConfig?.VolumesFrom, ["c1:ro"]);
    } finally {
      process.chdir(cwd);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("sends --mount as HostConfig.Mounts and keeps --tmpfs", () => {
    const body = parseRun(["--mount", "type=tmpfs,dst=/t", "--mount", "type=volume,src=v,dst=/v", "--tmpfs", "/run:size=1m", "busybox"]);
    assert.deepEqual(body.HostConfig?.Mounts, [{ Type: "tmpfs", Target: "/t" }, { Type: "volume", Source: "v", Target: "/v" }]);
    assert.deepEqual(body.HostConfig?.Tmpfs, { "/run": "size=1m" });
  });

  it("words a bad --mount as pflag does", () => {
    assert.throws(() => parseRun(["--mount", "type=bind", "busybox"]), { message: /option '--mount <mount>' argument 'type=bind' is invalid\. target is required/ });
  });
});
