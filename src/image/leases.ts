// Leases: named sets of resources (blob digests, layer chain IDs) that
// garbage collection keeps (gc.ts reads them) while a pull, a push or a build
// is under way, or while a build-cache entry needs them.
import type { DB } from "../store/db.js";

export interface Leases {
  /** Adds resources to lease `id`, creating it. */
  add(id: string, resources: string[]): void;
  delete(id: string): void;
  /** Lease IDs starting with `prefix`. */
  withPrefix(prefix: string): string[];
}

export function createLeases(db: DB): Leases {
  const q = {
    get: db.prepare<[string], { resources: string }>("SELECT resources FROM leases WHERE id = ?"),
    upsert: db.prepare(
      "INSERT INTO leases (id, created, resources) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET resources = excluded.resources",
    ),
    remove: db.prepare("DELETE FROM leases WHERE id = ?"),
    withPrefix: db.prepare<[string, string], { id: string }>("SELECT id FROM leases WHERE substr(id, 1, length(?)) = ?"),
  };
  const add = db.transaction((id: string, resources: string[]) => {
    const row = q.get.get(id);
    const current = row ? (JSON.parse(row.resources) as string[]) : [];
    q.upsert.run(id, new Date().toISOString(), JSON.stringify([...new Set([...current, ...resources])]));
  });
  return {
    add: (id, resources) => void add(id, resources),
    delete: (id) => void q.remove.run(id),
    withPrefix: (prefix) => q.withPrefix.all(prefix, prefix).map((r) => r.id),
  };
}
