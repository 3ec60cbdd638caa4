import { test } from "node:test";
import assert from "node:assert/strict";
import { commandOf, mergeConfig, networkKind, normalizeHostConfig } from "../../src/container/config.js";
import { mergeTmpfsOptions, tmpfsMounts } from "../../src/container/tmpfs-mounts.js";
import type { ContainerConfig, ContainerCreateBody, HostConfig } from "../../src/api/types/index.js";
import type { ImageRuntimeConfig } from "../../src/oci/types.js";
import { InvalidArgumentError } from "../../src/errors.js";

const image: ImageRuntimeConfig = {
  Env: ["PATH=/usr/bin:/bin", "LANG=C", "MODE=image"],
  Entrypoint: ["/entry.sh"],
  Cmd: ["serve", "--port", "80"],
  WorkingDir: "/app",
  User: "app",
  Labels: { a: "image", b: "image" },
  StopSignal: "SIGQUIT",
  ExposedPorts: { "80/tcp": {} },
};

// image config × create body → the parts of Config that merging decides.
const rows: { name: string; image: ImageRuntimeConfig; body: ContainerCreateBody; want: Partial<ContainerConfig> }[] = [
  {
    name: "nothing given: the image's defaults",
    image,
    body: { Image: "x" },
    want: { Entrypoint: ["/entry.sh"], Cmd: ["serve", "--port", "80"], WorkingDir: "/app", User: "app", StopSignal: "SIGQUIT" },
  },
  {
    name: "Cmd replaces the image's Cmd and keeps its Entrypoint",
    image,
    body: { Image: "x", Cmd: ["debug"] },
    want: { Entrypoint: ["/entry.sh"], Cmd: ["debug"] },
  },
  {
    name: "Entrypoint replaces the image's and drops its Cmd",
    image,
    body: { Image: "x", Entrypoint: ["sh"] },
    want: { Entrypoint: ["sh"] },
  },
  {
    name: "Entrypoint and Cmd both from the body",
    image,
    body: { Image: "x", Entrypoint: ["sh"], Cmd: ["-c", "true"] },
    want: { Entrypoint: ["sh"], Cmd: ["-c", "true"] },
  },
  {
    name: 'Entrypoint [""] resets it; Cmd only from the body',
    image,
    body: { Image: "x", Entrypoint: [""], Cmd: ["ls"] },
    want: { Cmd: ["ls"] },
  },
  {
    name: "WorkingDir, User and StopSignal from the body win",
    image,
    body: { Image: "x", WorkingDir: "/tmp", User: "nobody", StopSignal: "SIGINT" },
    want: { Entrypoint: ["/entry.sh"], Cmd: ["serve", "--port", "80"], WorkingDir: "/tmp", User: "nobody", StopSignal: "SIGINT" },
  },
  {
    name: "an image with no config",
    image: {},
    body: { Image: "x", Cmd: ["true"] },
    want: { Cmd: ["true"], WorkingDir: "", User: "", Env: [], Labels: {} },
  },
];

test("create body merged with the image config, as Docker does", () => {
  for (const row of rows) {
    const got = mergeConfig(row.body, row.image);
    for (const [key, value] of Object.entries(row.want)) {
      assert.deepEqual(got[key as keyof ContainerConfig], value, `${row.name}: ${key}`);
    }
    if (!("Entrypoint" in row.want)) assert.equal(got.Entrypoint, undefined, `${row.name}: Entrypoint`);
    if (!("Cmd" in row.want)) assert.equal(got.Cmd, undefined, `${row.name}: Cmd`);
  }
});

test("Env: the body's first, the image's appended unless overridden by key", () => {
  const got = mergeConfig({ Image: "x", Env: ["MODE=body", "NEW=1"] }, image);
  assert.deepEqual(got.Env, ["MODE=body", "NEW=1", "PATH=/usr/bin:/bin", "LANG=C"]);
});

test("Labels and ExposedPorts are unions, the body winning", () => {
  const got = mergeConfig({ Image: "x", Labels: { b: "body", c: "body" }, ExposedPorts: { "53/udp": {} } }, image);
  assert.deepEqual(got.Labels, { a: "image", b: "body", c: "body" });
  assert.deepEqual(got.ExposedPorts, { "80/tcp": {}, "53/udp": {} });
});

test("HostConfig and NetworkingConfig do not leak into Config", () => {
  const got = mergeConfig({ Image: "x", Cmd: ["a"], HostConfig: { Memory: 1 }, NetworkingConfig: {} }, {});
  assert.equal("HostConfig" in got, false);
  assert.equal("NetworkingConfig" in got, false);
});

test("the command is Entrypoint + Cmd; none at all is Docker's 400", () => {
  assert.deepEqual(commandOf({ Entrypoint: ["/e"], Cmd: ["a", "b"] }), { path: "/e", args: ["a", "b"] });
  assert.deepEqual(commandOf({ Cmd: ["sh"] }), { path: "sh", args: [] });
  assert.throws(() => commandOf({}), (e: unknown) => e instanceof InvalidArgumentError && e.message === "No command specified");
  assert.throws(() => commandOf(mergeConfig({ Image: "x", Entrypoint: [""] }, image)), /No command specified/);
});

const MB = 1024 * 1024;
const rejected: [HostConfig, string][] = [
  [{ Memory: 4 * MB }, "Minimum memory limit allowed is 6MB"],
  [{ Memory: -1 }, "Minimum memory limit allowed is 6MB"],
  [{ Memory: 64 * MB, MemorySwap: 32 * MB }, "Minimum memoryswap limit should be larger than memory limit, see usage"],
  [{ MemorySwap: 32 * MB }, "You should always set the Memory limit when using Memoryswap limit, see usage"],
  [{ NanoCpus: 1e9, CpuQuota: 50000 }, "Conflicting options: Nano CPUs and CPU Quota cannot both be set"],
  [{ AutoRemove: true, RestartPolicy: { Name: "always" } }, "can't create 'AutoRemove' container with restart policy"],
  [
    { RestartPolicy: { Name: "sometimes" as "always" } },
    "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
  ],
  [{ RestartPolicy: { Name: "always", MaximumRetryCount: 3 } }, "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
];

test("HostConfig values Docker rejects are a 400 with its wording", () => {
  for (const [hc, message] of rejected) {
    assert.throws(() => normalizeHostConfig(hc), (e: unknown) => e instanceof InvalidArgumentError && e.message === message, message);
  }
});

test("HostConfig defaults and accepted values", () => {
  const { hostConfig } = normalizeHostConfig(undefined);
  assert.equal(hostConfig.NetworkMode, "default");
  assert.deepEqual(hostConfig.RestartPolicy, { Name: "no", MaximumRetryCount: 0 });
  assert.deepEqual(hostConfig.LogConfig, { Type: "json-file", Config: {} });
  const ok = normalizeHostConfig({ Memory: 16 * MB, MemorySwap: 16 * MB, NetworkMode: "host", RestartPolicy: { Name: "on-failure", MaximumRetryCount: 2 } });
  assert.equal(ok.hostConfig.NetworkMode, "host");
  assert.equal(normalizeHostConfig({ Memory: 16 * MB, MemorySwap: -1 }).hostConfig.MemorySwap, -1);
  assert.equal(normalizeHostConfig({ AutoRemove: true }).hostConfig.AutoRemove, true);
});

test("default and bridge keep their NetworkMode but run without a network for now", () => {
  assert.equal(networkKind({ NetworkMode: "default" }), "bridge");
  assert.equal(networkKind({ NetworkMode: "bridge" }), "bridge");
  assert.equal(networkKind({ NetworkMode: "host" }), "host");
  assert.equal(networkKind({ NetworkMode: "none" }), "none");
  assert.equal(normalizeHostConfig({ NetworkMode: "bridge" }).hostConfig.NetworkMode, "bridge");
});

test("HostConfig.Tmpfs: absolute paths and known options only, in Docker's words", () => {
  assert.throws(() => normalizeHostConfig({ Tmpfs: { rel: "" } }), { message: "invalid mount path: 'rel' mount path must be absolute" });
  assert.throws(() => normalizeHostConfig({ Tmpfs: { "/x": "bogus" } }), { message: 'invalid tmpfs option ["bogus"]' });
  assert.throws(() => normalizeHostConfig({ Tmpfs: { "/x": "foo=1" } }), { message: 'invalid tmpfs option ["foo" "1"]' });
  assert.deepEqual(normalizeHostConfig({ Tmpfs: { "/run": "rw,size=64m,mode=1777,uid=1" } }).hostConfig.Tmpfs, { "/run": "rw,size=64m,mode=1777,uid=1" });
});

test("tmpfs mounts start from noexec,nosuid,nodev,rprivate; the user's later options win", () => {
  assert.deepEqual(tmpfsMounts({ "/x": "", "/a": "rw,size=64m" }), [
    { destination: "/a", type: "tmpfs", source: "tmpfs", options: ["noexec", "nosuid", "nodev", "rprivate", "rw", "size=64m"] },
    { destination: "/x", type: "tmpfs", source: "tmpfs", options: ["noexec", "nosuid", "nodev", "rprivate"] },
  ]);
  assert.deepEqual(mergeTmpfsOptions(["noexec", "nosuid", "nodev", "rprivate", "exec", "size=1m", "shared", "size=2m", "defaults"]), [
    "nosuid",
    "nodev",
    "exec",
    "shared",
    "size=2m",
  ]);
  assert.deepEqual(tmpfsMounts(undefined), []);
});

test("limits are checked at create: Docker's default swap is recorded, warnings returned", () => {
  const MiB = 1024 * 1024;
  const v1 = { version: 1 as const, swapLimit: true, numCpus: 2, cpus: "0-1", mems: "0" };
  assert.equal(normalizeHostConfig({ Memory: 64 * MiB }, { host: v1 }).hostConfig.MemorySwap, 128 * MiB);
  assert.equal(normalizeHostConfig({ Memory: 64 * MiB, MemorySwap: -1 }, { host: v1 }).hostConfig.MemorySwap, -1);
  assert.deepEqual(normalizeHostConfig({ OomKillDisable: true }, { host: { ...v1, version: 2 } }).warnings, [
    "Your kernel does not support OomKillDisable. OomKillDisable discarded.",
  ]);
  assert.throws(() => normalizeHostConfig({ NanoCpus: -1e9 }, { host: v1 }), {
    message: "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available",
  });
  assert.throws(() => normalizeHostConfig({ CpusetMems: "5" }, { host: v1 }), {
    message: "Requested memory nodes are not available - requested 5, available: 0",
  });
});
