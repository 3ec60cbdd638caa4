// The repositories under the root: a directory is a repository when it holds
// _layers or _manifests; names nest ("team/app" below "team"), and no name
// component starts with "_", so walking skips the private dirs.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isErrno } from "../../../errors.js";
import { repoDir } from "./layout.js";

export async function listRepositories(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isErrno(err, "ENOENT")) return;
      throw err;
    }
    if (prefix && entries.some((e) => e.name === "_layers" || e.name === "_manifests")) out.push(prefix);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith("_")) await walk(join(dir, e.name), prefix ? `${prefix}/${e.name}` : e.name);
    }
  };
  await walk(join(root, "repositories"), "");
  return out.sort();
}

export async function repositoryExists(root: string, name: string): Promise<boolean> {
  try {
    const entries = await readdir(repoDir(root, name));
    return entries.includes("_layers") || entries.includes("_manifests");
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return false;
    throw err;
  }
}
