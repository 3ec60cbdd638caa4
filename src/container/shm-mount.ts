// The host-side /dev/shm of a shareable container (--ipc shareable), as dockerd
// keeps it: a tmpfs at <container dir>/mounts/shm, mounted at start, bound at
// /dev/shm in the container and in every container that joins its IPC
// namespace (--ipc container:<id>), unmounted when the run ends (exit.ts
// releaseTask: on exit, a failed start, stop and rm).
//
// Why on the host: the kernel refuses to bind a mount from another container's
// mount namespace, so the donor's own /dev/shm cannot be handed to a joiner;
// a tmpfs both bind from their shared parent can. A joiner keeps its bind after
// the donor stops: its mount namespace holds the tmpfs, not the host's mount.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { isMounted, mountAll, unmount } from "../mount/mount.js";
import { pathsOf, type Context } from "./context.js";
import type { ContainerRecord } from "./records.js";

const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export function shmPath(ctx: Pick<Context, "root">, id: string): string {
  return join(pathsOf(ctx, id).dir, "mounts", "shm");
}

/** Mounts a shareable container's /dev/shm on the host (others leave it to the runtime's tmpfs). Call holding the lock. */
export async function mountShm(ctx: Context, rec: ContainerRecord): Promise<void> {
  if (rec.hostConfig.IpcMode !== "shareable") return;
  const target = shmPath(ctx, rec.id);
  await mkdir(target, { recursive: true, mode: 0o700 });
  if (await isMounted(target)) return;
  const size = rec.hostConfig.ShmSize && rec.hostConfig.ShmSize > 0 ? rec.hostConfig.ShmSize : DEFAULT_SHM_SIZE;
  await mountAll([{ type: "tmpfs", source: "shm", options: ["nosuid", "nodev", "noexec", "mode=1777", `size=${size}`] }], target, { mounted: false });
}

/** Unmounts the host-side /dev/shm, if there is one. */
export async function unmountShm(ctx: Pick<Context, "root">, id: string): Promise<void> {
  const target = shmPath(ctx, id);
  // Most containers never had one: no need to read the mount table for them.
  if (!existsSync(target)) return;
  await unmount(target);
}
