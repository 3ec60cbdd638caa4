// docker top: the container's processes are the members of its cgroup; `ps`
// runs on the host with the user's arguments and its table is cut down to
// those PIDs, as dockerd does.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { ContainerTopResponse } from "../api/types/index.js";
import { ConflictError, InvalidArgumentError, SystemError, isErrno } from "../errors.js";
import { isCgroupV2 } from "../runtime/spec.js";
import { cgroupParent } from "./container-spec.js";
import type { Context } from "./context.js";
import { isActive } from "./state.js";

const run = promisify(execFile);
// A v1 hierarchy runc always joins; the first one present is read.
const v1Controllers = ["pids", "memory", "cpu,cpuacct", "cpu", "devices", "freezer"];

export async function topContainer(ctx: Context, idOrName: string, psArgs?: string): Promise<ContainerTopResponse> {
  const rec = ctx.records.get(idOrName);
  if (!isActive(rec.state.status)) throw new ConflictError(`Container ${rec.id} is not running`);
  const pids = await cgroupPids(`${cgroupParent(rec.hostConfig)}/${rec.id}`);
  if (pids.length === 0 && rec.state.pid) pids.push(rec.state.pid);
  const args = (psArgs || "-ef").split(/\s+/).filter(Boolean);
  let stdout: string;
  try {
    ({ stdout } = await run("ps", args, { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new SystemError(`Error running ps: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
  return parsePs(stdout, new Set(pids));
}

/** ps's table → Titles and the rows of the given PIDs (the last column keeps its spaces). */
export function parsePs(output: string, pids: Set<number>): ContainerTopResponse {
  const lines = output.split("\n");
  const titles = (lines[0] ?? "").trim().split(/\s+/);
  const pidIndex = titles.indexOf("PID");
  if (pidIndex < 0) throw new InvalidArgumentError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const fields = line.trim().split(/\s+/);
    const pid = Number(fields[pidIndex]);
    if (!pids.has(pid)) continue;
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(" ")]);
  }
  return { Titles: titles, Processes: processes };
}

async function cgroupPids(path: string): Promise<number[]> {
  const dirs = isCgroupV2() ? ["/sys/fs/cgroup"] : v1Controllers.map((c) => join("/sys/fs/cgroup", c));
  for (const dir of dirs) {
    try {
      const text = await readFile(join(dir, path, "cgroup.procs"), "utf8");
      return text.split("\n").filter(Boolean).map(Number);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return [];
}
