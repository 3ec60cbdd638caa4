// A snapshotter keeps filesystem trees (snapshots) stacked on parents: the
// unpacked image layers and the writable layer of each container.
//
// Lifecycle, for an image of two layers and a container on top:
//   1. prepare("extract-1", undefined) → an active snapshot; apply layer 1's
//      tar into writableDir("extract-1") (whiteouts written as `whiteoutMode`
//      says), then commit(chainId1, "extract-1") → a committed, read-only snapshot.
//   2. prepare("extract-2", chainId1); apply layer 2; commit(chainId2, "extract-2").
//   3. prepare(containerId, chainId2) → mounts for the container's rootfs: for
//      overlay2 the committed layers as lowerdirs plus a fresh upperdir. mount/
//      performs them; the snapshotter never mounts anything itself.
//   4. diff(containerId) → the container's changes as a layer tar (with
//      whiteouts), for commit and export.
//   5. remove(containerId) when the container goes; remove(chainId2) when no
//      image uses the layer any more (a committed snapshot with children cannot
//      be removed).
// Snapshot records live in the shared SQLite database (table `snapshots`);
// trees live under <data-root>/<name>/ (overlay2/ or vfs/).
import type { Readable } from "node:stream";

/** A mount to perform, as data (the OCI runtime spec's mount shape). */
export interface Mount {
  type: string;
  source: string;
  options: string[];
}

export type SnapshotKind = "active" | "committed";

export interface SnapshotInfo {
  key: string;
  parent?: string;
  kind: SnapshotKind;
  created: string;
  labels: Record<string, string>;
}

export interface Usage {
  size: number;
  inodes: number;
}

export interface Snapshotter {
  readonly name: "overlay2" | "vfs";
  /** How a layer's whiteouts are materialised in writableDir: overlay char-0/0 devices and opaque xattrs, or by deleting. */
  readonly whiteoutMode: "overlay" | "remove";
  prepare(key: string, parent: string | undefined, opts?: { labels?: Record<string, string> }): Promise<Mount[]>;
  mounts(key: string): Promise<Mount[]>;
  /** The directory where an active snapshot's changes land (overlay: upperdir; vfs: the whole tree). */
  writableDir(key: string): string;
  commit(name: string, key: string): Promise<void>;
  remove(key: string): Promise<void>;
  stat(key: string): Promise<SnapshotInfo | undefined>;
  list(): Promise<SnapshotInfo[]>;
  usage(key: string): Promise<Usage>;
  /** The changes of active snapshot `key` against its parent, as an uncompressed layer tar. */
  diff(key: string): Readable;
  /**
   * Only where a layer's tree holds its own changes and nothing of its
   * parents' (overlay2; not vfs): a layer can be unpacked into a staging
   * directory before its parent is even there, and become an active snapshot
   * on that parent later by a rename. Lets a pull unpack its layers at once.
   */
  readonly staging?: Staging;
}

export interface Staging {
  /** A fresh, empty directory on the snapshotter's filesystem; one never adopted is removed at the next start. */
  create(): Promise<string>;
  /** prepare(key, parent), with `staged` moved in as the snapshot's writable tree. */
  prepareFrom(key: string, parent: string | undefined, staged: string): Promise<Mount[]>;
}
