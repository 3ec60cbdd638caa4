// Reading cgroupfs files for the stats readers: a missing file is a missing
// figure (a controller not mounted, a kernel without the knob), not an error.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isErrno } from "../errors.js";
import type { BlkioEntry, BlkioStats } from "./cgroup-stats.js";

/** Docker's eight lists, each empty (v1, as dockerd shows a cgroup that did no I/O) or null (v2). */
export function emptyBlkio(kind: "empty" | "null"): BlkioStats {
  const list = (): BlkioEntry[] | null => (kind === "null" ? null : []);
  return {
    io_service_bytes_recursive: list(),
    io_serviced_recursive: list(),
    io_queue_recursive: list(),
    io_service_time_recursive: list(),
    io_wait_time_recursive: list(),
    io_merged_recursive: list(),
    io_time_recursive: list(),
    sectors_recursive: list(),
  };
}

/** "key value" lines (memory.stat, cpu.stat) as numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^-?\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** The first of `names` found in the first directory that has it; undefined when none has. */
export async function readFirst(dirs: string[], ...names: string[]): Promise<string | undefined> {
  for (const name of names) {
    for (const d of dirs) {
      try {
        return await readFile(path.join(d, name), "utf8");
      } catch (err) {
        if (!isErrno(err, "ENOENT") && !isErrno(err, "ENOTDIR")) throw err;
      }
    }
  }
  return undefined;
}
