// The HostConfig options that pick what a container shares with the host or
// with another container, and what extra it gets: --ipc, --pid, --cgroupns,
// --userns, --ulimit, --device, --sysctl, --init. checkRuntimeOptions runs at
// create and throws dockerd's words; runtimeSpecOptions runs at every start
// (a container joined by --ipc/--pid container:<id> has a new pid each run).
import { existsSync } from "node:fs";
import type { HostConfig } from "../api/types/index.js";
import { ConflictError, InvalidArgumentError } from "../errors.js";
import { customDevices } from "../runtime/devices.js";
import type { NamespaceChoice, SpecMount, SpecOptions } from "../runtime/spec-options.js";
import type { Context } from "./context.js";
import type { ContainerRecord } from "./records.js";
import { shmPath } from "./shm-mount.js";
import { isActive } from "./state.js";
import { checkUlimits, rlimitsOf } from "./ulimits.js";

/** Where --init's binary sits in the container, as in Docker. */
export const INIT_PATH = "/sbin/docker-init";
// Debian's tini; the static build runs in any image (busybox has no ld.so).
const INIT_BINARIES = ["/usr/bin/tini-static", "/usr/bin/tini", "/usr/bin/docker-init"];

/** Create-time checks of the modes and limits, against the records for container:<x> modes. */
export function checkRuntimeOptions(ctx: Pick<Context, "records">, hc: HostConfig): void {
  const ipc = hc.IpcMode ?? "";
  if (!["", "none", "private", "shareable", "host"].includes(ipc) && !ipc.startsWith("container:")) {
    throw new InvalidArgumentError(`Invalid IPC mode: ${ipc}`);
  }
  const pid = hc.PidMode ?? "";
  if (pid !== "" && pid !== "host" && !pid.startsWith("container:")) throw new InvalidArgumentError(`invalid PID mode: ${pid}`);
  // 404 now when the other container does not exist, as dockerd.
  for (const mode of [ipc, pid]) if (mode.startsWith("container:")) ctx.records.get(mode.slice("container:".length));
  const cgroupns = hc.CgroupnsMode ?? "";
  if (!["", "host", "private"].includes(cgroupns)) throw new InvalidArgumentError(`invalid cgroup namespace mode: ${cgroupns}`);
  const userns = hc.UsernsMode ?? "";
  // berth runs containers as real root with no uid remapping: the host's user namespace is the only one it has.
  if (userns !== "" && userns !== "host") {
    throw new InvalidArgumentError(`invalid user namespace mode: ${userns}: berth supports only --userns=host (no user namespace remapping)`);
  }
  checkUlimits(hc.Ulimits);
}

export type RuntimeSpecOptions = Pick<SpecOptions, "rlimits" | "devices" | "sysctls" | "ipc" | "pid" | "cgroupns" | "shmSource"> & {
  /** --init: the command goes behind the init, whose binary is bound in. */
  init?: { args: string[]; mount: SpecMount };
};

export function runtimeSpecOptions(ctx: Context, rec: ContainerRecord): RuntimeSpecOptions {
  const hc = rec.hostConfig;
  const ipc = hc.IpcMode ?? "";
  const out: RuntimeSpecOptions = {
    rlimits: rlimitsOf(hc.Ulimits),
    devices: (hc.Devices ?? []).flatMap((d) =>
      customDevices(d.PathOnHost ?? "", d.PathInContainer ?? "", d.CgroupPermissions || "rwm"),
    ),
    ...(hc.Sysctls ? { sysctls: hc.Sysctls } : {}),
    pid: joined(ctx, hc.PidMode ?? "", "pid", "PID"),
    ipc: ipc === "" || ipc === "none" || ipc === "shareable" || ipc === "private" ? { mode: "private" } : joined(ctx, ipc, "ipc", "IPC"),
    ...(hc.CgroupnsMode === "host" || hc.CgroupnsMode === "private" ? { cgroupns: hc.CgroupnsMode } : {}),
  };
  // /dev/shm goes with the IPC namespace: the host's, a shareable container's own
  // host-side tmpfs (shm-mount.ts), or for a joiner the donor's.
  if (ipc === "host") out.shmSource = "/dev/shm";
  else if (ipc === "shareable") out.shmSource = shmPath(ctx, rec.id);
  else if (ipc.startsWith("container:")) {
    const other = donor(ctx, ipc, "IPC");
    out.shmSource = other.hostConfig.IpcMode === "host" ? "/dev/shm" : shmPath(ctx, other.id);
  }
  if (hc.Init) {
    const binary = INIT_BINARIES.find((p) => existsSync(p));
    if (!binary) throw new InvalidArgumentError(`--init: no init binary found on the host (looked for ${INIT_BINARIES.join(", ")})`);
    out.init = {
      args: [INIT_PATH, "--"],
      mount: { destination: INIT_PATH, type: "bind", source: binary, options: ["rbind", "ro", "rprivate"] },
    };
  }
  return out;
}

function joined(ctx: Context, mode: string, ns: "pid" | "ipc", label: string): NamespaceChoice {
  if (mode === "host") return { mode: "host" };
  if (!mode.startsWith("container:")) return { mode: "private" };
  return { mode: "path", path: `/proc/${donor(ctx, mode, label).state.pid}/ns/${ns}` };
}

/** The running container a container:<x> mode names, with dockerd's errors. */
function donor(ctx: Context, mode: string, label: string): ContainerRecord {
  const other = ctx.records.get(mode.slice("container:".length));
  if (!isActive(other.state.status) || other.state.pid <= 0) {
    const notRunning = `container ${other.id} is not running`;
    throw new ConflictError(label === "IPC" ? `can't join IPC of container ${other.id}: ${notRunning}` : notRunning);
  }
  if (label === "IPC" && !["shareable", "host"].includes(other.hostConfig.IpcMode ?? "")) {
    throw new ConflictError(`can't join IPC of container ${other.id}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  }
  return other;
}
