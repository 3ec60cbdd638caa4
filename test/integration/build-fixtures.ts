// Build contexts for the build tests: a temp directory with the given files
// (a string is a file's content; { symlink } a symlink; { mode } sets the mode).
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import Database from "better-sqlite3";
import type { Daemon } from "./harness.js";

export type FileSpec = string | { content: string; mode: number } | { symlink: string };

export async function makeContext(files: Record<string, FileSpec>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bctx-"));
  await writeFiles(dir, files);
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [name, spec] of Object.entries(files)) {
    const p = join(dir, name);
    await mkdir(dirname(p), { recursive: true });
    await rm(p, { force: true });
    if (typeof spec === "string") await writeFile(p, spec);
    else if ("symlink" in spec) await symlink(spec.symlink, p);
    else {
      await writeFile(p, spec.content);
      await chmod(p, spec.mode);
    }
  }
}

export const removeContext = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true });

/** Contexts for one test file: `make` them as needed, `removeAll` in after(). */
export function contexts(): { make(files: Record<string, FileSpec>): Promise<string>; removeAll(): Promise<void> } {
  const dirs: string[] = [];
  return {
    async make(files) {
      const dir = await makeContext(files);
      dirs.push(dir);
      return dir;
    },
    async removeAll() {
      for (const dir of dirs.splice(0)) await removeContext(dir);
    },
  };
}

/** Steps of a build's output that reused the cache. */
export function cachedSteps(output: string): number {
  return (output.match(/ ---> Using cache/g) ?? []).length;
}

/** The image ID from "Successfully built <id>". */
export function builtId(output: string): string {
  const m = /Successfully built ([0-9a-f]{12})/.exec(output);
  if (!m) throw new Error(`no "Successfully built" in:\n${output}`);
  return m[1]!;
}

/** What a build must never leave behind: mounts under the data root, runc state of RUN steps, build snapshots. */
export async function buildDebris(d: Daemon): Promise<string[]> {
  const debris: string[] = [];
  const mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  for (const line of mountinfo.split("\n")) {
    const target = line.split(" ")[4] ?? "";
    if (target.startsWith(`${d.dataRoot}/build`)) debris.push(`mount ${target}`);
  }
  const runcList = execFileSync("runc", ["--root", join(d.execRoot, "runc"), "list", "-q"], { encoding: "utf8" });
  for (const id of runcList.split("\n")) if (id.startsWith("build-")) debris.push(`runc ${id}`);
  const db = new Database(join(d.dataRoot, "berth.db"), { readonly: true });
  try {
    const rows = db.prepare<[], { key: string }>("SELECT key FROM snapshots WHERE key LIKE 'build-%'").all();
    for (const r of rows) debris.push(`snapshot ${r.key}`);
  } finally {
    db.close();
  }
  return debris;
}
