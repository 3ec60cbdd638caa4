// Where COPY and ADD take files from, and how they become a layer.
//
// Lifecycle:
//   1. receiveContext(body, { dir }) reads the request body once: a tar
//      (plain, gzip, bzip2 or xz) is spooled to <dir>/context.tar while an
//      index of its entries is built and each regular file's content is
//      hashed; a body that is not an archive is the Dockerfile itself
//      (`docker build - < Dockerfile`). Nothing is held whole in memory.
//   2. The builder reads the Dockerfile (readFile) and, per COPY/ADD, asks
//      select() for the entries the source words name — Docker's rules: paths
//      are relative to the context root and cleaned (`../x` cannot leave it),
//      each word may be a filepath.Match glob, a directory stands for its
//      contents, a missing source throws NotFoundError naming it. checksum()
//      of a selection (content and metadata, not mtimes) goes into the cache
//      key, so a cached rebuild reads no file twice.
//   3. On a cache miss, copyLayer() turns the selection into a layer tar:
//      entries placed at the destination as Docker's COPY places them, parent
//      directories that exist in the parent image carried over with their
//      metadata (looked up through RootView), --chown/--chmod applied, ADD's
//      local archives extracted under the destination (never above it).
//      Symlinks in the context are copied as symlinks, never followed.
//   4. close() removes the spool (and the materialised directory, if any).
// The same SourceTree shape serves COPY --from (a directory tree: another
// stage's or an image's mounted rootfs) and heredoc sources (memoryTree).
import type { Readable } from "node:stream";

export type SourceEntryType = "file" | "dir" | "symlink";

export interface SourceEntry {
  /** Relative to the tree root, "/"-separated, cleaned, no leading "./" or "/"; "" is the root itself. */
  path: string;
  type: SourceEntryType;
  /** Permission bits plus setuid/setgid/sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  /** Symlink target, as stored. */
  linkname?: string;
}

export interface Selection {
  /** One item per source path that matched (after glob expansion), in Dockerfile order then name order. */
  items: Array<{ entry: SourceEntry; /** Every entry beneath a directory item, parents before children. */ children: SourceEntry[] }>;
}

export interface SourceTree {
  /**
   * The entries the COPY/ADD source words name. `exclude` holds --exclude
   * patterns (matched like .dockerignore lines). Throws NotFoundError
   * ("file not found in build context or excluded by .dockerignore: stat <src>: file does not exist")
   * for a word that matches nothing.
   */
  select(sources: string[], opts?: { exclude?: string[] }): Promise<Selection>;
  /** sha256 over the selection's paths, types, modes, link targets and file contents (not mtimes or owners). */
  checksum(selection: Selection): Promise<string>;
  /** A regular file's bytes. */
  open(entry: SourceEntry): Promise<Readable>;
  /** A regular file's bytes at once: copyLayer's fast path for small files (one read instead of a stream). */
  bytes(entry: SourceEntry): Promise<Buffer>;
}

export interface BuildContext extends SourceTree {
  /** A file's bytes (Dockerfile, <name>.dockerignore), or undefined when absent. Follows no symlink out of the context. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** The context as a directory (extracted on first call), for RUN --mount=type=bind. */
  materialize(): Promise<string>;
  close(): Promise<void>;
}

/** Facts about the parent image's rootfs that COPY needs; paths are absolute inside that rootfs. */
export interface RootView {
  /**
   * Follows symlinks inside the root (never out of it) and returns the
   * resolved absolute path and what is there, or the resolved path and
   * undefined when nothing is.
   */
  resolve(path: string): Promise<{ path: string; stat?: { type: SourceEntryType | "other"; mode: number; uid: number; gid: number; mtimeMs: number } }>;
}

export interface CopyPlan {
  /** The destination as written after expansion, made absolute against WORKDIR; a trailing "/" is kept (it means "a directory"). */
  dest: string;
  /** --chown resolved to numbers; undefined keeps 0:0 for the context (Docker's default) and the source owner for --from trees. */
  chown?: { uid: number; gid: number };
  /** --chmod as an octal number. */
  chmod?: number;
  /** ADD: extract local tar archives (plain, gzip, bzip2, xz) found among the sources into dest. */
  extractArchives: boolean;
  /** COPY --from trees keep their owners unless --chown; context files become 0:0. */
  keepOwners: boolean;
}
