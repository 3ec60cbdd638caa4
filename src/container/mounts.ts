// A container's mount points from what the client sent, parsed and checked as
// dockerd's linux parser does (volume/mounts/linux_parser.go): HostConfig.Binds
// ("name:/ctr:ro", "/host:/ctr", "/ctr"), HostConfig.Mounts (type bind, volume
// or tmpfs) and HostConfig.VolumesFrom ("id:ro"). Pure but for the existence
// check of a --mount bind source; errors carry dockerd's words.
import { statSync } from "node:fs";
import { posix } from "node:path";
import type { Mount } from "../api/types/index.js";
import { InvalidArgumentError, isErrno } from "../errors.js";

/** One mount point of a container, as recorded at create (container/mounts-records.ts). */
export interface MountPoint {
  type: "bind" | "volume" | "tmpfs";
  destination: string;
  /** bind: the host path; volume: filled in at create (the volume's _data); tmpfs: "". */
  source: string;
  /** The volume's name (generated at create for an anonymous one); "" otherwise. */
  name: string;
  driver: string;
  /** The options as the user wrote them in -v ("ro", "z"…); dockerd shows "z" for local volumes given none. */
  mode: string;
  rw: boolean;
  /** bind: rprivate unless asked; "" for volumes and tmpfs, as dockerd shows them. */
  propagation: string;
  /** Copy the image's content at the destination into the volume while it is empty. */
  copyData: boolean;
  /** The user named no source (`-v /data`, an image's VOLUME): `rm -v` removes the volume. */
  anonymous: boolean;
  /** bind: a plain (non-recursive) bind. */
  nonRecursive?: boolean;
  /** bind from -v: a missing host directory is created at start, as dockerd does. */
  createSource?: boolean;
  /** tmpfs: the data options (size=64m,mode=1777). */
  tmpfsData?: string;
  /** volume: what creating it on first use takes (--mount's volume-label and volume-opt). */
  volumeLabels?: Record<string, string>;
  volumeOptions?: Record<string, string>;
}

const RW_MODES = new Set(["rw", "ro"]);
const LABEL_MODES = new Set(["z", "Z"]);
const PROPAGATION_MODES = new Set(["private", "rprivate", "shared", "rshared", "slave", "rslave"]);
const COPY_MODES = new Set(["nocopy"]);
const CONSISTENCY_MODES = new Set(["consistent", "cached", "delegated"]);

export const invalidSpec = (raw: string): InvalidArgumentError => new InvalidArgumentError(`invalid volume specification: '${raw}'`);

/** dockerd's ValidMountMode: known options, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === "") return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(",")) {
    const kind = [RW_MODES, LABEL_MODES, PROPAGATION_MODES, COPY_MODES, CONSISTENCY_MODES].findIndex((set) => set.has(o));
    if (kind < 0) return false;
    counts[kind]!++;
  }
  return counts.every((n) => n <= 1);
}

/** A mount error as dockerd words it: `invalid mount config for type "bind": …`. */
function mountConfigError(type: string | undefined, why: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid mount config for type ${JSON.stringify(type ?? "")}: ${why}`);
}

function checkTarget(type: string | undefined, target: string | undefined): string {
  if (!target) throw mountConfigError(type, "field Target must not be empty");
  if (posix.normalize(target).replace(/\/+$/, "") === "") throw mountConfigError(type, "invalid specification: destination can't be '/'");
  if (!target.startsWith("/")) throw mountConfigError(type, `invalid mount path: '${target}' mount path must be absolute`);
  return cleanPath(target);
}

/** Go's path.Clean for absolute paths. */
export function cleanPath(p: string): string {
  const clean = posix.normalize(p);
  return clean.length > 1 ? clean.replace(/\/+$/, "") : clean;
}

/** -v / HostConfig.Binds: "/ctr", "src:/ctr", "src:/ctr:mode". */
export function parseBind(raw: string): MountPoint {
  if ((raw.match(/:/g) ?? []).length > 2) throw invalidSpec(raw);
  const arr = raw.split(":");
  if (arr[0] === "") throw invalidSpec(raw);
  let source = "";
  let target: string;
  let mode = "";
  if (arr.length === 1) target = arr[0]!;
  else if (arr.length === 2) {
    if (validMountMode(arr[1]!)) throw invalidSpec(raw);
    [source, target] = arr as [string, string];
  } else [source, target, mode] = arr as [string, string, string];
  if (!validMountMode(mode)) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  const options = mode === "" ? [] : mode.split(",");
  const type = source.startsWith("/") ? "bind" : "volume";
  const propagation = options.find((o) => PROPAGATION_MODES.has(o));
  try {
    if (type === "volume" && propagation) throw mountConfigError(type, "field BindOptions must not be specified");
    const destination = checkTarget(type, target);
    const rw = !options.includes("ro");
    if (type === "bind") {
      return { ...base("bind", destination, mode, rw), source: cleanPath(source), propagation: propagation ?? "rprivate", createSource: true };
    }
    return { ...base("volume", destination, mode, rw), name: source, driver: "local", copyData: !options.includes("nocopy"), anonymous: source === "" };
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw new InvalidArgumentError(`${invalidSpec(raw).message}: ${err.message}`);
    throw err;
  }
}

function base(type: MountPoint["type"], destination: string, mode: string, rw: boolean): MountPoint {
  return { type, destination, source: "", name: "", driver: "", mode, rw, propagation: "", copyData: false, anonymous: false };
}

/** --mount / HostConfig.Mounts. `exists` tells whether a bind source is there (the host's filesystem by default). */
export function parseMountSpec(m: Mount, opts: { exists?: (path: string) => boolean } = {}): MountPoint {
  const type = m.Type;
  const destination = checkTarget(type, m.Target);
  const rw = !(m.ReadOnly ?? false);
  switch (type) {
    case "bind": {
      if (!m.Source) throw mountConfigError(type, "field Source must not be empty");
      const propagation = m.BindOptions?.Propagation;
      if (propagation && !PROPAGATION_MODES.has(propagation)) throw mountConfigError(type, `invalid propagation mode: ${propagation}`);
      if (m.VolumeOptions) throw mountConfigError(type, "field VolumeOptions must not be specified");
      if (m.TmpfsOptions) throw mountConfigError(type, "field TmpfsOptions must not be specified");
      if (!m.Source.startsWith("/")) throw mountConfigError(type, `invalid mount path: '${m.Source}' mount path must be absolute`);
      const createSource = m.BindOptions?.CreateMountpoint ?? false;
      if (!createSource && !(opts.exists ?? pathExists)(m.Source)) throw mountConfigError(type, `bind source path does not exist: ${m.Source}`);
      return {
        ...base("bind", destination, "", rw),
        source: cleanPath(m.Source),
        propagation: propagation ?? "rprivate",
        ...(m.BindOptions?.NonRecursive ? { nonRecursive: true } : {}),
        ...(createSource ? { createSource } : {}),
      };
    }
    case "volume": {
      if (m.BindOptions) throw mountConfigError(type, "field BindOptions must not be specified");
      if (m.TmpfsOptions) throw mountConfigError(type, "field TmpfsOptions must not be specified");
      const anonymous = !m.Source;
      if (anonymous && !rw) throw mountConfigError(type, "must not set ReadOnly mode when using anonymous volumes");
      const driver = m.VolumeOptions?.DriverConfig?.Name || "local";
      return {
        ...base("volume", destination, "", rw),
        name: m.Source ?? "",
        driver,
        copyData: !(m.VolumeOptions?.NoCopy ?? false),
        anonymous,
        ...(m.VolumeOptions?.Labels ? { volumeLabels: m.VolumeOptions.Labels } : {}),
        ...(m.VolumeOptions?.DriverConfig?.Options ? { volumeOptions: m.VolumeOptions.DriverConfig.Options } : {}),
      };
    }
    case "tmpfs": {
      if (m.BindOptions) throw mountConfigError(type, "field BindOptions must not be specified");
      if (m.Source) throw mountConfigError(type, "field Source must not be specified");
      return { ...base("tmpfs", destination, "", rw), tmpfsData: tmpfsData(m.TmpfsOptions, !rw) };
    }
    default:
      throw mountConfigError(type, "mount type unknown");
  }
}

/** dockerd's ConvertTmpfsOptions: ro, mode in octal, size with the largest suffix that divides it. */
export function tmpfsData(opts: Mount["TmpfsOptions"], readOnly: boolean): string {
  const out: string[] = readOnly ? ["ro"] : [];
  if (opts?.Mode) out.push(`mode=${opts.Mode.toString(8)}`);
  if (opts?.SizeBytes) {
    let size = opts.SizeBytes;
    let suffix = "";
    for (const [s, div] of [["g", 2 ** 30], ["m", 2 ** 20], ["k", 2 ** 10]] as const) {
      if (size % div === 0) {
        size /= div;
        suffix = s;
        break;
      }
    }
    out.push(`size=${size}${suffix}`);
  }
  return out.join(",");
}

/** --volumes-from "id[:ro|rw]". */
export function parseVolumesFrom(spec: string): { id: string; rw: boolean } {
  if (spec === "") throw new InvalidArgumentError("volumes-from specification cannot be an empty string");
  const colon = spec.indexOf(":");
  if (colon < 0) return { id: spec, rw: true };
  const mode = spec.slice(colon + 1);
  if (!validMountMode(mode)) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  // Propagation is the source container's: it cannot be changed here.
  if (mode.split(",").some((o) => PROPAGATION_MODES.has(o))) throw invalidSpec(spec);
  return { id: spec.slice(0, colon), rw: !mode.split(",").includes("ro") };
}

function pathExists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return false;
    throw err;
  }
}
