// From a container record to the runtime spec: the SpecOptions the runtime's
// buildSpec() turns into config.json. Used by start, and by exec to take the
// container's process defaults (capabilities, rlimits, env) for a new process.
import type { ContainerConfig, HostConfig } from "../api/types/index.js";
import { buildSpec } from "../runtime/spec.js";
import type { SpecMount, SpecOptions } from "../runtime/spec-options.js";
import type { RuntimeSpec } from "../runtime/spec-types.js";
import { resolveGroups, resolveUser } from "../runtime/user.js";
import { resourcesOf } from "./config.js";
import { pathsOf, type Context } from "./context.js";
import type { EtcPaths } from "./etc-files.js";
import type { NetworkSetup } from "./network-setup.js";
import type { ContainerRecord } from "./records.js";
import { userMounts } from "./mounts-spec.js";
import { runtimeSpecOptions } from "./runtime-options.js";
import { rlimitsOf } from "./ulimits.js";

/** The PATH a process gets when its image sets none (Docker's, for containers and build stages alike). */
export const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Docker's ReplaceOrAppendEnvValues: an override replaces the entry with its
 * key or is appended; a bare NAME (no "=") removes NAME — how `-e NAME` with
 * NAME unset on the client, or `-e PATH`, leave a variable out.
 */
export function processEnv(base: string[], overrides: string[]): string[] {
  const out: (string | undefined)[] = [...base];
  const index = new Map(base.map((e, i) => [envKey(e), i]));
  for (const e of overrides) {
    const i = index.get(envKey(e));
    if (!e.includes("=")) {
      if (i !== undefined) out[i] = undefined;
    } else if (i !== undefined) out[i] = e;
    else out.push(e);
  }
  return out.filter((e): e is string => e !== undefined);
}

function envKey(e: string): string {
  const eq = e.indexOf("=");
  return eq < 0 ? e : e.slice(0, eq);
}

/** What Docker gives a container's process and every exec: PATH, HOSTNAME, TERM with a TTY, then the container's Env. */
export function containerEnv(config: ContainerConfig, tty: boolean): string[] {
  return processEnv([defaultPath, `HOSTNAME=${config.Hostname ?? ""}`, ...(tty ? ["TERM=xterm"] : [])], config.Env ?? []);
}

/**
 * The user a process runs as. As Docker (since 20.10.18), the primary group
 * is also the first supplementary group, followed by the user's groups and
 * the container's --group-add (names looked up in the image's /etc/group).
 */
export async function processUser(rootfs: string, user: string, hc: HostConfig): Promise<SpecOptions["user"]> {
  const resolved = await resolveUser(rootfs, user);
  const groupAdd = await resolveGroups(rootfs, hc.GroupAdd ?? []);
  return { uid: resolved.uid, gid: resolved.gid, additionalGids: [resolved.gid, ...resolved.additionalGids, ...groupAdd] };
}

/**
 * `network` is what start set up (network-setup.ts); exec, which takes only
 * the process from the spec, leaves it out and gets an empty namespace.
 */
export interface ContainerSpecOptions {
  privileged?: boolean;
  network?: NetworkSetup;
}

export async function containerSpec(ctx: Context, rec: ContainerRecord, opts: ContainerSpecOptions = {}): Promise<RuntimeSpec> {
  return buildSpec(await specOptions(ctx, rec, opts));
}

async function specOptions(ctx: Context, rec: ContainerRecord, opts: ContainerSpecOptions): Promise<SpecOptions> {
  const { config, hostConfig: hc } = rec;
  const paths = pathsOf(ctx, rec.id);
  const security = hc.SecurityOpt ?? [];
  const readonly = hc.ReadonlyRootfs ?? false;
  // Namespaces to join, devices and the init matter to the container's own
  // start only; an exec (no network given) takes just the process, rlimits included.
  const { init, ...runtimeOpts } = opts.network ? runtimeSpecOptions(ctx, rec) : { rlimits: rlimitsOf(hc.Ulimits), init: undefined };

  return {
    rootfs: paths.rootfs,
    readonlyRootfs: readonly,
    args: [...(init?.args ?? []), rec.path, ...rec.args],
    env: containerEnv(config, config.Tty ?? false),
    cwd: config.WorkingDir || "/",
    user: await processUser(paths.rootfs, config.User ?? "", hc),
    hostname: config.Hostname ?? rec.id.slice(0, 12),
    ...(config.Domainname ? { domainname: config.Domainname } : {}),
    tty: config.Tty ?? false,
    network: opts.network?.namespace ?? { mode: "none" },
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    privileged: opts.privileged ?? hc.Privileged ?? false,
    noNewPrivileges: security.some((o) => /^no-new-privileges(?:[:=]true)?$/.test(o)),
    ...(security.some((o) => /^seccomp[:=]unconfined$/.test(o)) ? { seccomp: "unconfined" as const } : {}),
    resources: resourcesOf(hc),
    mounts: [
      ...userMounts(ctx, rec.id, { tmpfs: hc.Tmpfs, base: etcMounts(opts.network?.etcPaths ?? paths, readonly) }),
      ...(init ? [init.mount] : []),
    ],
    cgroupsPath: `${cgroupParent(hc)}/${rec.id}`,
    ...(hc.ShmSize ? { shmSize: hc.ShmSize } : {}),
    labels: config.Labels ?? {},
    ...runtimeOpts,
  };
}

/** The cgroup directory containers live under (cgroupfs driver), so top can find their processes. */
export function cgroupParent(hc: HostConfig): string {
  const parent = hc.CgroupParent?.replace(/\/+$/, "");
  if (!parent) return "/berth";
  return parent.startsWith("/") ? parent : `/${parent}`;
}

function etcMounts(paths: EtcPaths, readonly: boolean): SpecMount[] {
  const options = ["rbind", "rprivate", readonly ? "ro" : "rw"];
  return [
    { destination: "/etc/resolv.conf", type: "bind", source: paths.resolvConf, options },
    { destination: "/etc/hostname", type: "bind", source: paths.hostname, options },
    { destination: "/etc/hosts", type: "bind", source: paths.hosts, options },
  ];
}
