import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { containerCapabilities, DEFAULT_CAPABILITIES, normalizeCapability } from "../../src/runtime/capabilities.js";
import { abisFromConfig } from "../../src/runtime/kernel-abis.js";
import { defaultSeccompProfile } from "../../src/runtime/seccomp-default.js";
import { buildSpec, MASKED_PATHS, READONLY_PATHS } from "../../src/runtime/spec.js";
import type { SpecOptions } from "../../src/runtime/spec-options.js";
import type { RuntimeSpec } from "../../src/runtime/spec-types.js";
import { specOptions } from "./spec-options-fixture.js";

const options = specOptions;

type Rule = { names: string[]; action: string; args?: unknown[]; errnoRet?: number };

function allowed(spec: RuntimeSpec, name: string): boolean {
  const rules = (spec.linux?.seccomp?.syscalls ?? []) as Rule[];
  return rules.some((r) => r.action === "SCMP_ACT_ALLOW" && r.names.includes(name) && !r.args);
}

describe("buildSpec", () => {
  it("applies Docker's defaults", () => {
    const spec = buildSpec(options());
    assert.deepEqual(spec.process.capabilities?.bounding, spec.process.capabilities?.effective);
    assert.deepEqual([...spec.process.capabilities!.permitted!].sort(), [...DEFAULT_CAPABILITIES].sort());
    assert.equal(spec.process.capabilities?.inheritable, undefined);
    assert.equal(spec.process.capabilities?.ambient, undefined);
    assert.equal(spec.process.oomScoreAdj, 0);
    assert.deepEqual(spec.linux?.maskedPaths, MASKED_PATHS);
    assert.deepEqual(spec.linux?.readonlyPaths, READONLY_PATHS);
    assert.deepEqual(
      spec.mounts?.map((m) => m.destination),
      ["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"],
    );
    assert.ok(spec.mounts?.find((m) => m.destination === "/dev/shm")?.options?.includes(`size=${64 * 1024 * 1024}`));
    assert.ok(spec.mounts?.find((m) => m.destination === "/sys")?.options?.includes("ro"));
    const ns = spec.linux?.namespaces?.map((n) => n.type) ?? [];
    for (const t of ["pid", "ipc", "uts", "mount", "network"]) assert.ok(ns.includes(t), t);
    assert.deepEqual(
      spec.linux?.devices?.map((d) => d.path),
      ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"],
    );
    const devRules = (spec.linux?.resources?.devices ?? []) as { allow: boolean; access: string; type?: string }[];
    assert.deepEqual(devRules[0], { allow: false, access: "rwm" });
    assert.equal(spec.linux?.seccomp?.defaultAction, "SCMP_ACT_ERRNO");
    assert.equal(spec.linux?.seccomp?.defaultErrnoRet, 1);
  });

  it("never asks for more open files than this process may have", () => {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"))!;
    const hard = Number(line.trim().split(/\s+/)[4]);
    const nofile = buildSpec(options()).process.rlimits?.find((r) => r.type === "RLIMIT_NOFILE");
    assert.equal(nofile?.hard, Math.min(hard, 1048576));
    assert.equal(nofile?.soft, nofile?.hard);
  });

  it("maps the network mode to the net namespace", () => {
    const types = (s: RuntimeSpec) => s.linux?.namespaces?.filter((n) => n.type === "network") ?? [];
    assert.deepEqual(types(buildSpec(options({ network: { mode: "none" } }))), [{ type: "network" }]);
    assert.deepEqual(types(buildSpec(options({ network: { mode: "host" } }))), []);
    assert.deepEqual(types(buildSpec(options({ network: { mode: "path", path: "/run/netns/x" } }))), [
      { type: "network", path: "/run/netns/x" },
    ]);
  });

  it("maps resource limits, with Docker's swap default", () => {
    const res = (r: SpecOptions["resources"]) => buildSpec(options({ resources: r })).linux?.resources as Record<string, unknown>;
    const mem = 64 * 1024 * 1024;
    assert.deepEqual(res({ memory: mem }).memory, { limit: mem, swap: 2 * mem });
    assert.deepEqual(res({ memory: mem, memorySwap: -1 }).memory, { limit: mem, swap: -1 });
    assert.deepEqual(res({ memory: mem, memorySwap: 3 * mem }).memory, { limit: mem, swap: 3 * mem });
    assert.equal(res({}).memory, undefined);
    assert.deepEqual(res({ nanoCpus: 1.5e9 }).cpu, { period: 100000, quota: 150000 });
    assert.deepEqual(res({ cpuShares: 512, cpusetCpus: "0-1", cpusetMems: "0" }).cpu, { shares: 512, cpus: "0-1", mems: "0" });
    assert.deepEqual(res({ pidsLimit: 10 }).pids, { limit: 10 });
    assert.equal(res({ pidsLimit: -1 }).pids, undefined);
  });

  it("lets a user mount replace a default one and appends mounts in order", () => {
    const spec = buildSpec(
      options({
        shmSize: 1024,
        mounts: [
          { destination: "/dev/shm", type: "tmpfs", source: "tmpfs", options: ["size=2048"] },
          { destination: "/etc/hosts", type: "bind", source: "/x/hosts", options: ["rbind", "ro"] },
        ],
      }),
    );
    const dests = spec.mounts!.map((m) => m.destination);
    assert.equal(dests.filter((d) => d === "/dev/shm").length, 1);
    assert.deepEqual(dests.slice(-2), ["/dev/shm", "/etc/hosts"]);
  });

  it("sets up a privileged container without confinement", () => {
    const spec = buildSpec(options({ privileged: true }));
    assert.ok(spec.process.capabilities?.effective?.includes("CAP_SYS_ADMIN"));
    assert.equal(spec.linux?.maskedPaths, undefined);
    assert.equal(spec.linux?.readonlyPaths, undefined);
    assert.equal(spec.linux?.seccomp, undefined);
    assert.deepEqual((spec.linux?.resources?.devices as unknown[])[0], { allow: true, access: "rwm" });
    assert.ok(!spec.mounts?.find((m) => m.destination === "/sys")?.options?.includes("ro"));
    assert.ok((spec.linux?.devices?.length ?? 0) >= 6);
  });

  it("drops seccomp when unconfined, and carries the user, tty and flags", () => {
    const spec = buildSpec(
      options({
        seccomp: "unconfined",
        tty: true,
        readonlyRootfs: true,
        noNewPrivileges: true,
        user: { uid: 1000, gid: 100, additionalGids: [5] },
        domainname: "example.org",
        labels: { a: "b" },
      }),
    );
    assert.equal(spec.linux?.seccomp, undefined);
    assert.equal(spec.process.terminal, true);
    assert.equal(spec.root.readonly, true);
    assert.equal(spec.process.noNewPrivileges, true);
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 100, additionalGids: [5] });
    assert.equal(spec.domainname, "example.org");
    assert.deepEqual(spec.annotations, { a: "b" });
  });
});

describe("capabilities", () => {
  it("normalizes names with or without CAP_, in any case", () => {
    assert.equal(normalizeCapability("net_admin"), "CAP_NET_ADMIN");
    assert.equal(normalizeCapability("CAP_NET_ADMIN"), "CAP_NET_ADMIN");
    assert.equal(normalizeCapability("all"), "ALL");
    assert.throws(() => normalizeCapability("nope"), /unknown capability: "CAP_NOPE"/);
  });

  it("adds and drops as Docker does", () => {
    const caps = containerCapabilities(["NET_ADMIN"], ["chown"]);
    assert.ok(caps.includes("CAP_NET_ADMIN"));
    assert.ok(!caps.includes("CAP_CHOWN"));
    assert.deepEqual(containerCapabilities(["kill"], ["ALL"]), ["CAP_KILL"]);
    const all = containerCapabilities(["ALL"], ["SYS_ADMIN"]);
    assert.ok(all.includes("CAP_SYS_PTRACE"));
    assert.ok(!all.includes("CAP_SYS_ADMIN"));
    // An add beats a drop of the same capability.
    assert.ok(containerCapabilities(["CHOWN"], ["CHOWN"]).includes("CAP_CHOWN"));
  });
});

describe("default seccomp profile", () => {
  it("allows the ordinary syscalls and refuses the dangerous ones", () => {
    const spec = buildSpec(options());
    for (const name of ["read", "write", "openat", "execve", "futex", "epoll_wait", "socketpair"]) assert.ok(allowed(spec, name), name);
    for (const name of ["mount", "umount2", "unshare", "setns", "kexec_load", "init_module", "bpf", "reboot", "keyctl", "add_key"]) {
      assert.ok(!allowed(spec, name), name);
    }
    // clone only without namespace flags, clone3 answers ENOSYS so libc falls back.
    const rules = spec.linux!.seccomp!.syscalls as Rule[];
    assert.ok(rules.some((r) => r.names.includes("clone") && r.args?.length === 1));
    assert.ok(rules.some((r) => r.names.includes("clone3") && r.errnoRet === 38));
  });

  it("unlocks syscalls with the capability the kernel checks", () => {
    const spec = buildSpec(options({ capAdd: ["SYS_ADMIN", "sys_time"] }));
    for (const name of ["mount", "umount2", "unshare", "setns", "clone", "clone3", "settimeofday"]) assert.ok(allowed(spec, name), name);
    assert.ok(!allowed(spec, "reboot"));
  });

  it("names the architectures of the host family", () => {
    const all = { ia32: true, x32: true };
    assert.deepEqual(defaultSeccompProfile([], { arch: "x64", abis: all }).architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]);
    assert.deepEqual(defaultSeccompProfile([], { arch: "arm64", abis: all }).architectures, ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]);
    const x64 = defaultSeccompProfile([], { arch: "x64", abis: all }).syscalls[0]!.names;
    assert.ok(x64.includes("arch_prctl"));
    assert.ok(!x64.includes("set_tls"));
  });

  it("leaves out the 32-bit ABIs the kernel cannot run", () => {
    assert.deepEqual(defaultSeccompProfile([], { arch: "x64", abis: { ia32: true, x32: false } }).architectures, ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"]);
    assert.deepEqual(defaultSeccompProfile([], { arch: "x64", abis: { ia32: false, x32: false } }).architectures, ["SCMP_ARCH_X86_64"]);
  });
});

describe("kernel ABIs from the build configuration", () => {
  const config = (...lines: string[]) => ["# Automatically generated file; DO NOT EDIT.", ...lines, ""].join("\n");

  it("counts both as running when the configuration is unknown", () => {
    assert.deepEqual(abisFromConfig(undefined, ""), { ia32: true, x32: true });
  });

  it("reads what was built", () => {
    assert.deepEqual(abisFromConfig(config("CONFIG_IA32_EMULATION=y", "# CONFIG_X86_X32_ABI is not set"), "quiet"), { ia32: true, x32: false });
    assert.deepEqual(abisFromConfig(config("CONFIG_IA32_EMULATION=y", "CONFIG_X86_X32_ABI=y"), ""), { ia32: true, x32: true });
    assert.deepEqual(abisFromConfig(config("# CONFIG_IA32_EMULATION is not set"), ""), { ia32: false, x32: false });
  });

  it("follows the switches on the command line", () => {
    const debian = config("CONFIG_IA32_EMULATION=y", "CONFIG_X86_X32_ABI=y", "CONFIG_X86_X32_DISABLED=y");
    assert.deepEqual(abisFromConfig(debian, "root=/dev/sda1 ro"), { ia32: true, x32: false });
    assert.deepEqual(abisFromConfig(debian, "root=/dev/sda1 syscall.x32=y"), { ia32: true, x32: true });
    const off = config("CONFIG_IA32_EMULATION=y", "CONFIG_IA32_EMULATION_DEFAULT_DISABLED=y");
    assert.deepEqual(abisFromConfig(off, ""), { ia32: false, x32: false });
    assert.deepEqual(abisFromConfig(off, "ia32_emulation=true"), { ia32: true, x32: false });
    assert.deepEqual(abisFromConfig(config("CONFIG_IA32_EMULATION=y"), "ia32_emulation=0"), { ia32: false, x32: false });
  });
});
