// What a build interrupted by a crash leaves, removed at berthd's start
// before garbage collection: mounts and directories under <root>/runs, runc
// state of RUN steps, `build-` snapshots, and the per-build leases (cache
// entries' leases stay: they belong to finished steps).
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { unmount } from "../mount/mount.js";
import { deleteLeftovers } from "../runtime/run-once.js";
import type { BuilderDeps } from "./build-run.js";
import { BUILD_LEASE_PREFIX } from "./builder.js";
import { BUILD_KEY_PREFIX } from "./work-root.js";

export async function recoverBuilds(deps: BuilderDeps): Promise<{ snapshots: string[] }> {
  const runs = path.join(deps.root, "runs");
  await deleteLeftovers(deps.runc, BUILD_KEY_PREFIX);
  const mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  const targets = mountinfo
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((t) => t.startsWith(`${runs}/`))
    .sort((a, b) => b.length - a.length);
  for (const t of targets) await unmount(t, { lazy: true });
  await rm(runs, { recursive: true, force: true });
  const snapshots: string[] = [];
  for (const s of await deps.snapshotter.list()) {
    if (s.kind !== "active" || !s.key.startsWith(BUILD_KEY_PREFIX)) continue;
    await deps.snapshotter.remove(s.key);
    snapshots.push(s.key);
  }
  for (const id of deps.images.build.leases(BUILD_LEASE_PREFIX)) deps.images.build.deleteLease(id);
  return { snapshots };
}
