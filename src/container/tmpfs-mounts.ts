// HostConfig.Tmpfs ({"/run": "rw,size=64m"}, from `--tmpfs /run:rw,size=64m`)
// as runtime mounts. As in Docker, every tmpfs starts from
// noexec,nosuid,nodev,rprivate and the user's options are merged over those:
// the later of two options on the same mount flag wins (`exec` undoes
// `noexec`), as does the later of two `key=value` data options. Options are
// checked at create, so a typo is a 400 rather than a failed start.
import { InvalidArgumentError } from "../errors.js";
import type { SpecMount } from "../runtime/spec-options.js";

const DEFAULT_OPTIONS = ["noexec", "nosuid", "nodev", "rprivate"];

/** Mount flags by the bit they set or clear: options sharing a bit override each other. */
const FLAG_BITS: Record<string, string> = {
  ro: "rdonly",
  rw: "rdonly",
  suid: "nosuid",
  nosuid: "nosuid",
  dev: "nodev",
  nodev: "nodev",
  exec: "noexec",
  noexec: "noexec",
  sync: "sync",
  async: "sync",
  dirsync: "dirsync",
  remount: "remount",
  mand: "mand",
  nomand: "mand",
  atime: "noatime",
  noatime: "noatime",
  diratime: "nodiratime",
  nodiratime: "nodiratime",
  bind: "bind",
  rbind: "rbind",
  relatime: "relatime",
  norelatime: "relatime",
  strictatime: "strictatime",
  nostrictatime: "strictatime",
};

/** A mount has one propagation mode: these all override each other. */
const PROPAGATION = new Set(["private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"]);

/** The tmpfs data options the kernel takes. */
const DATA_KEYS = new Set(["size", "mode", "uid", "gid", "nr_inodes", "nr_blocks", "mpol"]);

/** Throws Docker's 400 for a relative path or an option tmpfs does not know. */
export function checkTmpfs(tmpfs: Record<string, string> | undefined): void {
  for (const [destination, options] of Object.entries(tmpfs ?? {})) {
    if (!destination.startsWith("/")) {
      throw new InvalidArgumentError(`invalid mount path: '${destination}' mount path must be absolute`);
    }
    mergeTmpfsOptions([...DEFAULT_OPTIONS, ...splitOptions(options)]);
  }
}

/** The container's tmpfs mounts, in path order so a parent is mounted before its children. */
export function tmpfsMounts(tmpfs: Record<string, string> | undefined): SpecMount[] {
  return Object.keys(tmpfs ?? {})
    .sort()
    .map((destination) => ({
      destination,
      type: "tmpfs",
      source: "tmpfs",
      options: mergeTmpfsOptions([...DEFAULT_OPTIONS, ...splitOptions(tmpfs![destination]!)]),
    }));
}

function splitOptions(options: string): string[] {
  return options === "" ? [] : options.split(",");
}

/** Docker's MergeTmpfsOptions: the last option of each kind wins, kept in its original place. */
export function mergeTmpfsOptions(options: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const option of [...options].reverse()) {
    if (option === "defaults") continue;
    let key: string;
    if (PROPAGATION.has(option)) key = "propagation";
    else if (FLAG_BITS[option]) key = `flag:${FLAG_BITS[option]}`;
    else {
      const eq = option.indexOf("=");
      const name = eq < 0 ? option : option.slice(0, eq);
      if (eq < 0 || !DATA_KEYS.has(name)) {
        const parts = eq < 0 ? [option] : [name, option.slice(eq + 1)];
        throw new InvalidArgumentError(`invalid tmpfs option [${parts.map((p) => JSON.stringify(p)).join(" ")}]`);
      }
      key = `data:${name}`;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    out.unshift(option);
  }
  return out;
}
