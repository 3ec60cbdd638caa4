// A container's filesystem seen from outside: docker cp (stat, read and
// write a path), diff, export and commit.
//
// Lifecycle of one operation: the container's lock is taken; a stopped
// container's rootfs is mounted (and unmounted again afterwards), a running
// one is frozen (cgroup freezer) so nothing inside can swap a directory for a
// symlink while berth walks the tree; paths are resolved component by
// component inside the container's view — its rootfs plus its volumes, binds
// and /etc files, as dockerd mounts them for cp — never following a symlink
// out of it; the work is done; the container thaws and the lock is released
// (for a stream, once the stream is closed).
import type { Readable } from "node:stream";
import type { ContainerConfig } from "../../api/types/index.js";

/** What HEAD/GET /containers/{id}/archive report in X-Docker-Container-Path-Stat (dockerd's ContainerPathStat). */
export interface PathStat {
  name: string;
  size: number;
  /** Go's os.FileMode bits (type bits high, permissions low). */
  mode: number;
  /** RFC 3339 with nanoseconds. */
  mtime: string;
  /** For a symlink: where it leads, resolved inside the container; "" otherwise. */
  linkTarget: string;
}

/** One line of docker diff: Kind 0 changed, 1 added, 2 deleted (dockerd's FilesystemChange). */
export interface FilesystemChange {
  Path: string;
  Kind: 0 | 1 | 2;
}

export interface PutArchiveOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (the docker CLI always asks this). */
  noOverwriteDirNonDir: boolean;
  /** Keep the archive's owners (cp -a); otherwise everything becomes the container's root. */
  copyUIDGID: boolean;
}

export interface CommitOptions {
  /** "repo" to tag the new image with (":latest" unless `tag`). */
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Freeze a running container while its changes are read (default true, as Docker). */
  pause: boolean;
  /** Dockerfile instructions applied to the config (docker commit -c). */
  changes: string[];
  /** A config from the request body, taking the place of the container's own before the changes. */
  config?: ContainerConfig;
}

export interface ContainerFsService {
  statPath(idOrName: string, path: string): Promise<PathStat>;
  /** A tar of `path` (not followed when it is a symlink), its entries named as docker cp names them. */
  getArchive(idOrName: string, path: string): Promise<{ stat: PathStat; tar: Readable }>;
  /** Extracts `tar` into the directory `path`. */
  putArchive(idOrName: string, path: string, tar: Readable, opts: PutArchiveOptions): Promise<void>;
  changes(idOrName: string): Promise<FilesystemChange[]>;
  /** The container's whole filesystem (its rootfs, without volumes or berth's /etc files) as a tar. */
  export(idOrName: string): Promise<Readable>;
  /** A new image: the container's image plus its changes as one layer; returns the image ID. */
  commit(idOrName: string, opts: CommitOptions): Promise<{ id: string }>;
}
