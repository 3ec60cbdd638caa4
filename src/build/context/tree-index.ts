// An in-memory index of a tree whose file contents live elsewhere (the
// context's spool, heredoc buffers): path → entry, plus each directory's
// children. Directories implied by deeper entries exist as 0755 root:root, as
// untar creates them; a later entry for the same path replaces the earlier one.
import { InvalidArgumentError } from "../../errors.js";
import type { SourceEntry } from "./build-context.js";
import { dirName, baseName } from "./clean-path.js";
import type { TreeAccess } from "./select.js";

export interface IndexRecord extends SourceEntry {
  /** Files: where the content starts in the backing store. */
  offset: number;
  /** Files: hex sha256 of the content. */
  sha256: string;
}

export interface TreeIndex extends TreeAccess {
  get(path: string): IndexRecord | undefined;
  set(record: IndexRecord): void;
  /** Removes a non-directory entry. */
  delete(path: string): void;
  /** Every record, parents before children, names sorted; the root ("") first. */
  all(): IndexRecord[];
  readonly size: number;
}

export function createTreeIndex(opts: { rootMtimeMs: number }): TreeIndex {
  const records = new Map<string, IndexRecord>();
  const children = new Map<string, Set<string>>();
  const implied = (path: string): IndexRecord => ({
    path,
    type: "dir",
    mode: 0o755,
    uid: 0,
    gid: 0,
    size: 0,
    mtimeMs: opts.rootMtimeMs,
    offset: 0,
    sha256: "",
  });
  records.set("", implied(""));
  children.set("", new Set());

  function removeBelow(dir: string): void {
    for (const name of children.get(dir) ?? []) {
      const child = dir === "" ? name : `${dir}/${name}`;
      removeBelow(child);
      records.delete(child);
    }
    children.delete(dir);
  }

  function ensureDir(path: string): void {
    const have = records.get(path);
    if (have !== undefined) {
      if (have.type !== "dir") {
        throw new InvalidArgumentError(`invalid build context: ${JSON.stringify(path)} is not a directory but has entries beneath it`);
      }
      return;
    }
    ensureDir(dirName(path));
    records.set(path, implied(path));
    children.set(path, new Set());
    children.get(dirName(path))!.add(baseName(path));
  }

  return {
    get: (path) => records.get(path),
    set(record) {
      if (record.path === "") {
        if (record.type === "dir") records.set("", { ...record });
        return;
      }
      const parent = dirName(record.path);
      ensureDir(parent);
      const old = records.get(record.path);
      if (old?.type === "dir" && record.type !== "dir") removeBelow(record.path);
      records.set(record.path, record);
      if (record.type === "dir" && !children.has(record.path)) children.set(record.path, new Set());
      children.get(parent)!.add(baseName(record.path));
    },
    delete(path) {
      if (records.get(path)?.type === "dir" || path === "") return;
      records.delete(path);
      children.get(dirName(path))?.delete(baseName(path));
    },
    all() {
      const out: IndexRecord[] = [];
      const visit = (dir: string): void => {
        for (const name of [...(children.get(dir) ?? [])].sort()) {
          const path = dir === "" ? name : `${dir}/${name}`;
          out.push(records.get(path)!);
          if (children.has(path)) visit(path);
        }
      };
      out.push(records.get("")!);
      visit("");
      return out;
    },
    get size() {
      return records.size;
    },
    lstat: async (path) => records.get(path),
    readdir: async (dir) => [...(children.get(dir) ?? [])],
  };
}
