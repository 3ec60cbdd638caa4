// Opening a container's filesystem for an outside look (cp, diff, export,
// commit): under the container's lock, with the rootfs mounted and, while the
// container runs, its processes frozen — the "paused container" of DESIGN.md's
// untrusted-input rule — until close().
import { lstat } from "node:fs/promises";
import { isErrno } from "../../errors.js";
import { pathsOf, type Context } from "../context.js";
import { ensureRootfsMounted, unmountRootfs } from "../exit.js";
import { mountRecordsOf } from "../mounts-records.js";
import type { ContainerRecord } from "../records.js";
import { isActive } from "../state.js";

/** One tree of the container's view: the rootfs at "/", a volume or bind at its destination. */
export interface ViewMount {
  destination: string;
  /** Its components ([] for the rootfs), for prefix matching. */
  components: string[];
  /** The host directory (or file) seen at `destination`. */
  source: string;
  rw: boolean;
}

export interface FsView {
  rec: ContainerRecord;
  /** The rootfs first, then the other mounts. */
  mounts: ViewMount[];
  /** Thaws the container, unmounts what was mounted for this, releases the lock. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Freeze a running container (default true). */
  freeze?: boolean;
}

export async function openView(ctx: Context, idOrName: string, opts: OpenOptions = {}): Promise<FsView> {
  const id = ctx.records.get(idOrName).id;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let closed!: Promise<void>;
  const view = await new Promise<FsView>((resolve, reject) => {
    closed = ctx.locks.withLock(id, async () => {
      let undo: (() => Promise<void>) | undefined;
      try {
        const rec = ctx.records.get(id);
        undo = await prepare(ctx, rec, opts.freeze ?? true);
        resolve({ rec, mounts: await viewMounts(ctx, rec), close: async () => (release(), closed) });
      } catch (err) {
        await undo?.();
        reject(err);
        return;
      }
      await released;
      await undo();
    });
    closed.catch(() => undefined);
  });
  return view;
}

/** Mounts or freezes as needed; returns what undoes it. */
async function prepare(ctx: Context, rec: ContainerRecord, freeze: boolean): Promise<() => Promise<void>> {
  if (rec.state.status === "running" && freeze) {
    await ctx.runtime.pause(rec.id);
    return () => ctx.runtime.resume(rec.id);
  }
  if (isActive(rec.state.status)) return async () => undefined;
  await ensureRootfsMounted(ctx, rec);
  return async () => {
    // Started meanwhile is impossible (we hold the lock), but a failed start may have left it mounted for us.
    const now = ctx.records.find(rec.id);
    if (now && !isActive(now.state.status)) await unmountRootfs(ctx, rec.id);
  };
}

const components = (p: string): string[] => p.split("/").filter((c) => c !== "" && c !== ".");

/**
 * The trees dockerd mounts for cp: the rootfs, volumes and binds (tmpfs ones
 * live only in the container's mount namespace), and the /etc files berth
 * binds unless the user mounted something there.
 */
async function viewMounts(ctx: Context, rec: ContainerRecord): Promise<ViewMount[]> {
  const paths = pathsOf(ctx, rec.id);
  const mounts: ViewMount[] = [{ destination: "/", components: [], source: paths.rootfs, rw: !rec.hostConfig.ReadonlyRootfs }];
  const user = mountRecordsOf(ctx.db).get(rec.id).filter((m) => m.type !== "tmpfs");
  for (const m of user) mounts.push({ destination: m.destination, components: components(m.destination), source: m.source, rw: m.rw });
  const taken = new Set(user.map((m) => m.destination));
  const etc: Array<[string, string]> = [
    ["/etc/resolv.conf", paths.resolvConf],
    ["/etc/hostname", paths.hostname],
    ["/etc/hosts", paths.hosts],
  ];
  for (const [destination, source] of etc) {
    if (taken.has(destination) || !(await exists(source))) continue;
    mounts.push({ destination, components: components(destination), source, rw: !rec.hostConfig.ReadonlyRootfs });
  }
  return mounts;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
}
