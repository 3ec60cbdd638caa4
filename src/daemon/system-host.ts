// Facts about this host that /info reports and dockerd finds the same way:
// the filesystem under the data root (statfs), the OS release, the runc
// commit (`runc --version`), the daemon's open file descriptors.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statfsSync } from "node:fs";
import { isErrno } from "../errors.js";

// statfs f_type magic numbers, named as dockerd's graphdriver.FsNames does.
const FS_NAMES: Record<number, string> = {
  0xef53: "extfs",
  0x58465342: "xfs",
  0x9123683e: "btrfs",
  0x01021994: "tmpfs",
  0x794c7630: "overlayfs",
  0x2fc12fc1: "zfs",
  0x6969: "nfs",
  0x65735546: "fuseblk",
  0x858458f6: "ramfs",
  0x73717368: "squashfs",
  0xf15f: "ecryptfs",
};

/** "extfs", "xfs"…, or "<unknown>" as dockerd says for a type it has no name for. */
export function backingFilesystem(dir: string): string {
  return FS_NAMES[statfsSync(dir).type] ?? "<unknown>";
}

/** PRETTY_NAME and VERSION_ID of /etc/os-release (Docker's OperatingSystem and OSVersion). */
export function osRelease(file = "/etc/os-release"): { prettyName: string; versionId: string } {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
  const field = (key: string): string | undefined => new RegExp(`^${key}="?([^"\\n]*)"?$`, "m").exec(text)?.[1];
  return { prettyName: field("PRETTY_NAME") ?? "Linux", versionId: field("VERSION_ID") ?? "" };
}

/** The "commit:" line of `runc --version`, as dockerd's RuncCommit; "" when runc says none. */
export function runcCommit(runtimePath: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(runtimePath, ["--version"], { timeout: 5000 }, (err, stdout) => {
      // A runtime that cannot say is reported as dockerd reports it: no commit.
      if (err) resolve("");
      else resolve(/^commit:\s*(\S+)/m.exec(stdout)?.[1] ?? "");
    });
  });
}

export function openFileDescriptors(): number {
  return readdirSync("/proc/self/fd").length;
}
