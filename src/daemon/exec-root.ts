// The exec root holds what lives only as long as the machine's boot: runc's
// state, conmon's sockets, pid and exit files, bundles, netns files. dockerd
// and podman count on /run being a tmpfs for that. Where it is not (some VMs
// and minimal images), berthd mounts a tmpfs on the exec root itself, so that
//   - a reboot cannot leave state that names processes of an earlier boot, and
//   - the ~25 small files each container start makes, and its removal
//     deletes, cost no disk inodes. (On a journal-less ext4, allocating an
//     inode scans past every one freed in the last minute: with containers
//     coming and going, ~0.3 ms per file, most of it on berthd's event loop.)
//
// Only an empty directory is mounted over. One that holds state — containers
// started by an earlier berthd while it was on disk — is used as it is, and a
// tmpfs berthd mounted before it was last stopped is simply found again.
import { readdirSync, statfsSync } from "node:fs";
import { mountAll } from "../mount/mount.js";
import type { Logger } from "./logger.js";

const TMPFS_MAGIC = 0x01021994;

/** Makes `dir` (which exists) a tmpfs when it is an empty directory on another filesystem. */
export async function ensureExecRootInMemory(dir: string, log: Logger): Promise<void> {
  if (statfsSync(dir).type === TMPFS_MAGIC) return;
  if (readdirSync(dir).length > 0) {
    log("info", "the exec root is not a tmpfs and already holds state: using it on disk", { execRoot: dir });
    return;
  }
  try {
    await mountAll([{ type: "tmpfs", source: "tmpfs", options: ["mode=0711", "nosuid", "nodev"] }], dir, { mounted: false });
  } catch (err) {
    // No CAP_SYS_ADMIN (berthd in a container), say: the disk still works.
    log("warn", "could not mount a tmpfs on the exec root: keeping it on disk", { execRoot: dir, error: String(err) });
  }
}
