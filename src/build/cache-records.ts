// The build cache in SQLite (table build_cache of store/db.ts): step key →
// the step's result (its whole image config, and the top layer it needs).
// Configs live in the row rather than the content store: a cache miss on a
// metadata step then costs one row, not a blob write and an fsync.
import type { Digest } from "../oci/types.js";
import type { DB } from "../store/db.js";

export interface CacheRow {
  key: string;
  /** The parent step's result ID (config digest), for `builder prune --filter parent=`. */
  parent?: string;
  /** The result's image config JSON, byte for byte (its digest is the result's ID). */
  config: string;
  /** Top layer of the result; the lease "build-cache:<key>" keeps it. */
  chainId?: Digest;
  description: string;
  /** Bytes of the layer this step added (0 for metadata steps). */
  size: number;
  created: string;
  lastUsed: string;
  usageCount: number;
}

interface CacheSql {
  key: string;
  parent: string | null;
  config: string;
  chain_id: string | null;
  description: string;
  size: number;
  created: string;
  last_used: string;
  usage_count: number;
}

export interface CacheRecords {
  get(key: string): CacheRow | undefined;
  /** Marks a hit: last used now, one more use. */
  touch(key: string): void;
  put(row: CacheRow): void;
  all(): CacheRow[];
  delete(key: string): void;
}

export function createCacheRecords(db: DB): CacheRecords {
  const q = {
    get: db.prepare<[string], CacheSql>("SELECT * FROM build_cache WHERE key = ?"),
    touch: db.prepare("UPDATE build_cache SET last_used = ?, usage_count = usage_count + 1 WHERE key = ?"),
    put: db.prepare(
      `INSERT OR REPLACE INTO build_cache (key, parent, config, chain_id, description, size, created, last_used, usage_count)
       VALUES (@key, @parent, @config, @chain_id, @description, @size, @created, @last_used, @usage_count)`,
    ),
    all: db.prepare<[], CacheSql>("SELECT * FROM build_cache ORDER BY created"),
    delete: db.prepare("DELETE FROM build_cache WHERE key = ?"),
  };
  return {
    get: (key) => toRow(q.get.get(key)),
    touch: (key) => void q.touch.run(new Date().toISOString(), key),
    put: (r) =>
      void q.put.run({
        key: r.key,
        parent: r.parent ?? null,
        config: r.config,
        chain_id: r.chainId ?? null,
        description: r.description,
        size: r.size,
        created: r.created,
        last_used: r.lastUsed,
        usage_count: r.usageCount,
      }),
    all: () => q.all.all().map((r) => toRow(r)!),
    delete: (key) => void q.delete.run(key),
  };
}

function toRow(r: CacheSql | undefined): CacheRow | undefined {
  if (!r) return undefined;
  const row: CacheRow = {
    key: r.key,
    config: r.config,
    description: r.description,
    size: r.size,
    created: r.created,
    lastUsed: r.last_used,
    usageCount: r.usage_count,
  };
  if (r.parent !== null) row.parent = r.parent;
  if (r.chain_id !== null) row.chainId = r.chain_id;
  return row;
}
