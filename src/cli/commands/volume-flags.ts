// The mount flags of run and create — -v/--volume, --mount, --volumes-from —
// and how the docker CLI turns them into the create body: `-v /data` (no
// source) is an anonymous volume in Config.Volumes, anything with a source
// goes to HostConfig.Binds (a "./dir" source made absolute), --mount's CSV
// into HostConfig.Mounts. The daemon checks the rest.
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { HostConfig, Mount } from "../../api/types/index.js";
import { collect } from "../args.js";
import { parseBytes } from "../format/units.js";

export interface VolumeFlags {
  volume?: string[];
  mount?: Mount[];
  volumesFrom?: string[];
}

/** Adds --mount and --volumes-from (-v and --tmpfs are among the container flags). */
export function addVolumeFlags(cmd: Command): Command {
  return cmd
    .option("--mount <mount>", "Attach a filesystem mount to the container", mountFlag)
    .option("--volumes-from <list>", "Mount volumes from the specified container(s)", collect);
}

export function volumeFields(
  flags: VolumeFlags,
  cwd = process.cwd(),
): { host: Pick<HostConfig, "Binds" | "Mounts" | "VolumesFrom">; volumes?: Record<string, Record<string, never>> } {
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const spec of flags.volume ?? []) {
    const colon = spec.indexOf(":");
    if (colon < 0) {
      volumes[spec] = {};
      continue;
    }
    const host = spec.slice(0, colon);
    binds.push(host === "." || host.startsWith("./") ? `${resolve(cwd, host)}${spec.slice(colon)}` : spec);
  }
  return {
    host: {
      ...(binds.length > 0 ? { Binds: binds } : {}),
      ...(flags.mount?.length ? { Mounts: flags.mount } : {}),
      ...(flags.volumesFrom?.length ? { VolumesFrom: flags.volumesFrom } : {}),
    },
    ...(Object.keys(volumes).length > 0 ? { volumes } : {}),
  };
}

/** commander's parser for a repeated --mount; a bad value is pflag's `invalid argument … for "--mount" flag`. */
function mountFlag(value: string, previous: Mount[] | undefined): Mount[] {
  try {
    return [...(previous ?? []), parseMount(value)];
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** docker's MountOpt.Set: "type=bind,source=/a,target=/b,readonly" → a Mount. */
export function parseMount(value: string, cwd = process.cwd()): Mount {
  const mount: Mount = { Type: "volume" };
  const volumeOptions = (): NonNullable<Mount["VolumeOptions"]> => (mount.VolumeOptions ??= {});
  const bindOptions = (): NonNullable<Mount["BindOptions"]> => (mount.BindOptions ??= {});
  const tmpfsOptions = (): NonNullable<Mount["TmpfsOptions"]> => (mount.TmpfsOptions ??= {});
  const bool = (key: string, val: string): boolean => {
    const v = val.toLowerCase();
    if (["1", "t", "true"].includes(v)) return true;
    if (["0", "f", "false"].includes(v)) return false;
    throw new Error(`invalid value for ${key}: ${val}`);
  };
  const setOn = (map: Record<string, string>, kv: string): void => {
    const eq = kv.indexOf("=");
    const k = eq < 0 ? kv : kv.slice(0, eq);
    if (k !== "") map[k] = eq < 0 ? "" : kv.slice(eq + 1);
  };

  for (const field of csvFields(value)) {
    const eq = field.indexOf("=");
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? "" : field.slice(eq + 1);
    if (eq < 0) {
      if (key === "readonly" || key === "ro") mount.ReadOnly = true;
      else if (key === "volume-nocopy") volumeOptions().NoCopy = true;
      else if (key === "bind-nonrecursive") bindOptions().NonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    switch (key) {
      case "type":
        mount.Type = val.toLowerCase() as Mount["Type"];
        break;
      case "source":
      case "src":
        mount.Source = val === "." || val.startsWith("./") ? resolve(cwd, val) : val;
        break;
      case "target":
      case "dst":
      case "destination":
        mount.Target = val;
        break;
      case "readonly":
      case "ro":
        mount.ReadOnly = bool(key, val);
        break;
      case "consistency":
        mount.Consistency = val.toLowerCase();
        break;
      case "bind-propagation":
        bindOptions().Propagation = val.toLowerCase() as NonNullable<Mount["BindOptions"]>["Propagation"];
        break;
      case "bind-nonrecursive":
        bindOptions().NonRecursive = bool(key, val);
        break;
      case "volume-nocopy":
        volumeOptions().NoCopy = bool("volume-nocopy", val);
        break;
      case "volume-label":
        setOn((volumeOptions().Labels ??= {}), val);
        break;
      case "volume-driver":
        (volumeOptions().DriverConfig ??= {}).Name = val;
        break;
      case "volume-opt":
        setOn(((volumeOptions().DriverConfig ??= {}).Options ??= {}), val);
        break;
      case "tmpfs-size":
        tmpfsOptions().SizeBytes = sizeOf(key, val);
        break;
      case "tmpfs-mode": {
        if (!/^[0-7]+$/.test(val)) throw new Error(`invalid value for ${key}: ${val}`);
        tmpfsOptions().Mode = parseInt(val, 8);
        break;
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (!mount.Type) throw new Error("type is required");
  if (!mount.Target) throw new Error("target is required");
  for (const [options, kind] of [[mount.VolumeOptions, "volume"], [mount.BindOptions, "bind"], [mount.TmpfsOptions, "tmpfs"]] as const) {
    if (options && mount.Type !== kind) throw new Error(`cannot mix '${kind}-*' options with mount type '${mount.Type}'`);
  }
  return mount;
}

function sizeOf(key: string, val: string): number {
  try {
    return parseBytes(val);
  } catch {
    throw new Error(`invalid value for ${key}: ${val}`);
  }
}

/** One line of CSV as Go's encoding/csv reads it: commas separate, "quoted" fields may hold commas and "" for a quote. */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ",") throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
    } else {
      const end = line.indexOf(",", i);
      field = line.slice(i, end < 0 ? line.length : end);
      if (field.includes('"')) throw new Error(`parse error on line 1, column ${i + field.indexOf('"') + 1}: bare " in non-quoted-field`);
      i = end < 0 ? line.length : end;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
