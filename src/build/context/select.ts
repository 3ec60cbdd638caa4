// SourceTree.select and checksum for any tree that can lstat and list a
// directory (the context index, a rootfs on disk, heredoc files), with the
// classic builder's rules (builder/dockerfile/copy.go in moby 20.10):
//   - a word loses one leading "/" and a leading "./"; a word that climbs out
//     of the root after cleaning is refused ("forbidden path outside the build
//     context: ../x ()", the builder adds "COPY failed: ");
//   - a word with glob characters is matched with filepath.Match against
//     every path in the tree (walk order: parents first, names sorted); a
//     glob that matches nothing contributes nothing, and only when no word
//     matched anything is it an error ("no source files were specified");
//   - a word (or glob match) naming a symlink is followed inside the tree: the
//     item carries the target's type and metadata under the name the word
//     gave, as dockerd copies it; a broken one is "file not found";
//   - a directory item comes with every entry beneath it, symlinks not
//     followed; children's paths are rebased under the item's path, so a
//     directory reached through a symlink lists "link/…".
// Entries handed out keep a link to their real path (realPathOf), so open()
// and checksum() need no second resolution.
import { createHash } from "node:crypto";
import { InvalidArgumentError, NotFoundError } from "../../errors.js";
import type { Selection, SourceEntry } from "./build-context.js";
import { baseName, cleanPath, joinRel } from "./clean-path.js";
import { createIgnoreMatcher, type IgnoreMatcher } from "./dockerignore.js";
import { globMatch, hasGlobMeta } from "./glob.js";
import { resolveInTree } from "./resolve-in-tree.js";

export interface TreeAccess {
  /** The entry at a resolved relative path (no symlink among its parents), without following it. */
  lstat(path: string): Promise<SourceEntry | undefined>;
  /** Names in a resolved directory, in any order. */
  readdir(dir: string): Promise<string[]>;
}

const realPaths = new WeakMap<SourceEntry, string>();

/** Where an entry handed out by selectSources really is in its tree; undefined for entries made elsewhere. */
export const knownRealPath = (entry: SourceEntry): string | undefined => realPaths.get(entry);

/** knownRealPath, or the entry's own path (right for trees whose lookups follow no symlink: the in-memory indexes). */
export const realPathOf = (entry: SourceEntry): string => realPaths.get(entry) ?? entry.path;

export async function selectSources(tree: TreeAccess, sources: string[], opts: { exclude?: string[] } = {}): Promise<Selection> {
  const exclude = opts.exclude?.length ? createIgnoreMatcher(opts.exclude) : undefined;
  const items: Selection["items"] = [];
  for (const word of sources) {
    let src = word.length > 1 && word.startsWith("/") ? word.slice(1) : word;
    if (src.startsWith("./")) src = src.slice(2);
    if (hasGlobMeta(src)) {
      for (const path of await globPaths(tree, src)) {
        const item = await namedItem(tree, path, path, exclude);
        if (item !== undefined) items.push(item);
      }
      continue;
    }
    const cleaned = cleanPath(src);
    if (cleaned === ".." || cleaned.startsWith("../")) {
      throw new InvalidArgumentError(`forbidden path outside the build context: ${src} ()`);
    }
    const item = await namedItem(tree, cleaned === "." ? "" : cleaned.replace(/^\/+/, ""), src, exclude);
    if (item !== undefined) items.push(item);
  }
  if (items.length === 0) throw new NotFoundError("no source files were specified");
  return { items };
}

async function namedItem(
  tree: TreeAccess,
  path: string,
  word: string,
  exclude: IgnoreMatcher | undefined,
): Promise<Selection["items"][number] | undefined> {
  const resolved = await resolveInTree(tree, path);
  const found = resolved.exists ? await tree.lstat(resolved.path) : undefined;
  if (found === undefined) {
    throw new NotFoundError(`file not found in build context or excluded by .dockerignore: stat ${word}: file does not exist`);
  }
  // --exclude patterns are relative to what is copied: the item by its name, children below it.
  if (path !== "" && exclude?.ignores(baseName(path))) return undefined;
  const entry: SourceEntry = { ...found, path };
  realPaths.set(entry, resolved.path);
  const children: SourceEntry[] = [];
  if (found.type === "dir") await walk(tree, resolved.path, path, "", children, exclude);
  return { entry, children };
}

async function walk(
  tree: TreeAccess,
  real: string,
  named: string,
  rel: string,
  out: SourceEntry[],
  exclude: IgnoreMatcher | undefined,
): Promise<void> {
  const names = (await tree.readdir(joinRel(real, rel))).sort(byName);
  for (const name of names) {
    const childRel = joinRel(rel, name);
    const found = await tree.lstat(joinRel(real, childRel));
    if (found === undefined) continue;
    const skip = exclude?.ignores(childRel) ?? false;
    if (skip && !(found.type === "dir" && exclude!.mayContainIncluded(childRel))) continue;
    if (!skip) {
      const entry: SourceEntry = { ...found, path: joinRel(named, childRel) };
      realPaths.set(entry, joinRel(real, childRel));
      out.push(entry);
    }
    if (found.type === "dir") await walk(tree, real, named, childRel, out, exclude);
  }
}

/** Every path in the tree the glob matches, in walk order; directories that cannot lead to a match are not entered. */
async function globPaths(tree: TreeAccess, pattern: string): Promise<string[]> {
  // `*`, `?` and escapes never match "/", so a path at depth k can only lead
  // to a match when its k first components match the pattern's. A class may
  // (as in Go) match "/", so patterns with one are matched against everything.
  const parts = pattern.includes("[") ? undefined : pattern.split("/");
  const out: string[] = [];
  async function visit(dir: string, depth: number): Promise<void> {
    for (const name of (await tree.readdir(dir)).sort(byName)) {
      const path = joinRel(dir, name);
      if (globMatch(pattern, path)) out.push(path);
      if (parts !== undefined && (depth + 1 >= parts.length || !globMatch(parts.slice(0, depth + 1).join("/"), path))) continue;
      const st = await tree.lstat(path);
      if (st?.type === "dir") await visit(path, depth + 1);
    }
  }
  await visit("", 0);
  return out;
}

/** Go sorts names by bytes; for the names that occur in practice this is UTF-16 order. */
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * sha256 over what a COPY of the selection produces: each item's name, then
 * for the item and every child the path relative to the item, type, mode,
 * link target and content hash. Not mtimes, not owners (owners come from
 * --chown, which is part of the instruction and so of the cache key).
 */
export async function selectionChecksum(selection: Selection, contentHash: (entry: SourceEntry) => Promise<string>): Promise<string> {
  const h = createHash("sha256");
  for (const { entry, children } of selection.items) {
    h.update(`item\0${entry.path}\n`);
    const prefix = entry.path === "" ? "" : `${entry.path}/`;
    for (const e of [entry, ...children]) {
      const rel = e === entry ? "" : e.path.slice(prefix.length);
      const content = e.type === "file" ? await contentHash(e) : "";
      h.update(`${rel}\0${e.type}\0${e.mode.toString(8)}\0${e.linkname ?? ""}\0${content}\n`);
    }
  }
  return `sha256:${h.digest("hex")}`;
}
