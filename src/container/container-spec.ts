// From a container record to the runtime spec: the SpecOptions the runtime's
// buildSpec() turns into config.json. Used by start, and by exec to take the
// container's process defaults (capabilities, rlimits, env) for a new process.
import type { HostConfig } from "../api/types/index.js";
import { buildSpec } from "../runtime/spec.js";
import type { SpecMount, SpecOptions } from "../runtime/spec-options.js";
import type { RuntimeSpec } from "../runtime/spec-types.js";
import { resolveUser } from "../runtime/user.js";
import { networkKind } from "./config.js";
import { pathsOf, type Context } from "./context.js";
import type { ContainerRecord } from "./records.js";

const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Docker's process environment: PATH, HOSTNAME, TERM (with a TTY), then the container's own, replacing by key. */
export function processEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  for (const e of overrides) {
    const key = e.includes("=") ? e.slice(0, e.indexOf("=")) : e;
    const i = out.findIndex((x) => x === key || x.startsWith(`${key}=`));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

export async function containerSpec(ctx: Context, rec: ContainerRecord, opts: { privileged?: boolean } = {}): Promise<RuntimeSpec> {
  return buildSpec(await specOptions(ctx, rec, opts));
}

async function specOptions(ctx: Context, rec: ContainerRecord, opts: { privileged?: boolean }): Promise<SpecOptions> {
  const { config, hostConfig: hc } = rec;
  const paths = pathsOf(ctx, rec.id);
  const user = await resolveUser(paths.rootfs, config.User ?? "");
  const groupAdd = (hc.GroupAdd ?? []).filter((g) => /^\d+$/.test(g)).map(Number);
  const base = [defaultPath, `HOSTNAME=${config.Hostname ?? ""}`, ...(config.Tty ? ["TERM=xterm"] : [])];
  const security = hc.SecurityOpt ?? [];
  const readonly = hc.ReadonlyRootfs ?? false;
  const kind = networkKind(hc);

  return {
    rootfs: paths.rootfs,
    readonlyRootfs: readonly,
    args: [rec.path, ...rec.args],
    env: processEnv(base, config.Env ?? []),
    cwd: config.WorkingDir || "/",
    user: { ...user, additionalGids: [...user.additionalGids, ...groupAdd] },
    hostname: config.Hostname ?? rec.id.slice(0, 12),
    ...(config.Domainname ? { domainname: config.Domainname } : {}),
    tty: config.Tty ?? false,
    // Bridge networks come later: until then default/bridge run in a private, empty namespace.
    network: kind === "host" ? { mode: "host" } : { mode: "none" },
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    privileged: opts.privileged ?? hc.Privileged ?? false,
    noNewPrivileges: security.some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o)),
    ...(security.some((o) => /^seccomp[:=]unconfined$/.test(o)) ? { seccomp: "unconfined" as const } : {}),
    resources: resourcesOf(hc),
    mounts: etcMounts(paths, readonly),
    cgroupsPath: `${cgroupParent(hc)}/${rec.id}`,
    ...(hc.ShmSize ? { shmSize: hc.ShmSize } : {}),
    labels: config.Labels ?? {},
  };
}

/** The cgroup directory containers live under (cgroupfs driver), so top can find their processes. */
export function cgroupParent(hc: HostConfig): string {
  const parent = hc.CgroupParent?.replace(/\/+$/, "");
  if (!parent) return "/berth";
  return parent.startsWith("/") ? parent : `/${parent}`;
}

function resourcesOf(hc: HostConfig): SpecOptions["resources"] {
  return {
    ...(hc.Memory ? { memory: hc.Memory } : {}),
    ...(hc.MemorySwap ? { memorySwap: hc.MemorySwap } : {}),
    ...(hc.NanoCpus ? { nanoCpus: hc.NanoCpus } : {}),
    ...(hc.CpuShares ? { cpuShares: hc.CpuShares } : {}),
    ...(hc.CpuQuota ? { cpuQuota: hc.CpuQuota } : {}),
    ...(hc.CpuPeriod ? { cpuPeriod: hc.CpuPeriod } : {}),
    ...(hc.CpusetCpus ? { cpusetCpus: hc.CpusetCpus } : {}),
    ...(hc.CpusetMems ? { cpusetMems: hc.CpusetMems } : {}),
    ...(hc.PidsLimit ? { pidsLimit: hc.PidsLimit } : {}),
  };
}

function etcMounts(paths: ReturnType<typeof pathsOf>, readonly: boolean): SpecMount[] {
  const options = ["rbind", "rprivate", readonly ? "ro" : "rw"];
  return [
    { destination: "/etc/resolv.conf", type: "bind", source: paths.resolvConf, options },
    { destination: "/etc/hostname", type: "bind", source: paths.hostname, options },
    { destination: "/etc/hosts", type: "bind", source: paths.hosts, options },
  ];
}
