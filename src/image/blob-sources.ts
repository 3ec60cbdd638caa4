// Which repositories of which registries hold a blob, learnt from pulls and
// pushes: a push to another repository on the same registry then asks for a
// cross-repository mount (no bytes sent) before it uploads, as Docker does
// with its v2 metadata.
import type { Digest } from "../oci/types.js";
import type { DB } from "../store/db.js";

export interface BlobSources {
  record(digest: Digest, registry: string, repository: string): void;
  /** Repositories on `registry` known to hold the blob, most recently learnt first. */
  on(digest: Digest, registry: string): string[];
}

export function createBlobSources(db: DB): BlobSources {
  const q = {
    insert: db.prepare("INSERT OR REPLACE INTO blob_sources (digest, registry, repository) VALUES (?, ?, ?)"),
    on: db.prepare<[string, string], { repository: string }>("SELECT repository FROM blob_sources WHERE digest = ? AND registry = ? ORDER BY rowid DESC"),
  };
  return {
    record: (digest, registry, repository) => void q.insert.run(digest, registry, repository),
    on: (digest, registry) => q.on.all(digest, registry).map((r) => r.repository),
  };
}
