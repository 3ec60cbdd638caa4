// The metadata database: one SQLite file under the data root, in WAL mode, one
// writer (berthd). Each concept owns its tables and its queries (snapshot/,
// image/, container/); this module only opens the file and migrates the schema.
import Database from "better-sqlite3";
import { createReserve, type Reserve } from "./reserve.js";

export type DB = Database.Database;

// Append-only: a released migration is never edited, a new one is added.
const migrations: string[] = [
  `
  CREATE TABLE snapshots (
    key TEXT PRIMARY KEY,
    parent TEXT REFERENCES snapshots(key),
    kind TEXT NOT NULL CHECK (kind IN ('active','committed')),
    created TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE layers (
    chain_id TEXT PRIMARY KEY,
    diff_id TEXT NOT NULL,
    parent TEXT REFERENCES layers(chain_id),
    blob_digest TEXT,
    blob_media_type TEXT,
    blob_size INTEGER,
    size INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE images (
    id TEXT PRIMARY KEY,
    manifest_digest TEXT,
    created TEXT,
    size INTEGER NOT NULL DEFAULT 0,
    added TEXT NOT NULL
  );
  CREATE TABLE image_layers (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    chain_id TEXT NOT NULL REFERENCES layers(chain_id),
    PRIMARY KEY (image_id, idx)
  );
  CREATE TABLE image_refs (
    ref TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    added TEXT NOT NULL
  );
  CREATE INDEX image_refs_by_image ON image_refs(image_id);
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    image_id TEXT NOT NULL,
    created TEXT NOT NULL,
    spec TEXT NOT NULL,
    state TEXT NOT NULL
  );
  CREATE INDEX containers_by_image ON containers(image_id);
  CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    created TEXT NOT NULL,
    resources TEXT NOT NULL DEFAULT '[]'
  );
  `,
  // Build cache (build/cache-records.ts): one row per step result; the
  // layer it needs is kept alive by the lease "build-cache:<key>".
  `
  CREATE TABLE build_cache (
    key TEXT PRIMARY KEY,
    parent TEXT,
    config TEXT NOT NULL,
    chain_id TEXT,
    description TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    created TEXT NOT NULL,
    last_used TEXT NOT NULL,
    usage_count INTEGER NOT NULL DEFAULT 0
  );
  `,
  // Where a blob is known to live on a registry (image/blob-sources.ts), so a
  // push to another repository there can mount it instead of uploading it.
  `
  CREATE TABLE blob_sources (
    digest TEXT NOT NULL,
    registry TEXT NOT NULL,
    repository TEXT NOT NULL,
    PRIMARY KEY (digest, registry, repository)
  );
  `,
  // Volumes (volume/records.ts), the containers referring to them, and each
  // container's resolved mount points (container/mounts-records.ts).
  `
  CREATE TABLE volumes (
    name TEXT PRIMARY KEY,
    driver TEXT NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}',
    options TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL,
    anonymous INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE volume_refs (
    volume TEXT NOT NULL REFERENCES volumes(name) ON DELETE CASCADE,
    container_id TEXT NOT NULL,
    PRIMARY KEY (volume, container_id)
  );
  CREATE INDEX volume_refs_by_container ON volume_refs(container_id);
  CREATE TABLE container_mounts (
    container_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    spec TEXT NOT NULL,
    PRIMARY KEY (container_id, destination)
  );
  `,
];

export function openDatabase(file: string): DB {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  migrate(db);
  guardWrites(db, createReserve(db, `${file}-reserve`));
  return db;
}

type Run = (...params: unknown[]) => Database.RunResult;
type Transaction = ((...args: unknown[]) => unknown) & { deferred: unknown; immediate: unknown; exclusive: unknown };

/**
 * Routes every write through the reserve (reserve.ts): statements that write,
 * run outside a transaction, and whole transactions. Each concept keeps
 * preparing its own statements as before; only this module knows.
 */
function guardWrites(db: DB, reserve: Reserve): void {
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const stmt = prepare(source);
    if (stmt.reader) return stmt;
    const run = (stmt.run as Run).bind(stmt);
    (stmt as unknown as { run: Run }).run = (...params) => reserve.guard(() => run(...params));
    return stmt;
  }) as DB["prepare"];
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = transaction(fn) as unknown as Transaction;
    const guarded = (...args: unknown[]): unknown => reserve.guard(() => tx(...args));
    return Object.assign(guarded, { deferred: tx.deferred, immediate: tx.immediate, exclusive: tx.exclusive, default: guarded });
  }) as DB["transaction"];
}

function migrate(db: DB): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
