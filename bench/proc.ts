// Process helpers for the engine benchmark: run a command with a time limit,
// time it, take medians, and read the memory of processes from /proc.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { isErrno } from "../src/errors.js";

export interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command line to drive an engine: `docker -H …`, `node bin/berth -H …`, `podman`. */
export interface Cli {
  name: string;
  argv: string[];
  env?: Record<string, string | undefined>;
  /** Flags put right after `run`/`create` (podman's rlimits). */
  runFlags?: string[];
}

/** Runs a command to its end, killing it after timeoutMs; never rejects for a non-zero exit. */
export function exec(argv: string[], opts: { env?: Record<string, string | undefined>; timeoutMs?: number; input?: string } = {}): Promise<Done> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...opts.env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString() + (signal ? `\n(killed by ${signal})` : "");
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr });
    });
    child.stdin.end(opts.input);
  });
}

/** Runs `cli args…` and throws with its stderr when it fails. */
export async function must(cli: Cli, args: string[], timeoutMs?: number): Promise<string> {
  const r = await exec([...cli.argv, ...args], { env: cli.env, timeoutMs });
  if (r.code !== 0) throw new Error(`${cli.name}: ${args.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

export async function elapsedMs(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export interface Sample {
  median: number;
  min: number;
  n: number;
}

/** One warm-up, then up to n timed runs while time is left; the median and the best. */
export async function sample(n: number, fn: () => Promise<unknown>, timeLeft: () => number): Promise<Sample> {
  await fn();
  const xs: number[] = [];
  while (xs.length < n && (xs.length < 3 || timeLeft() > 0)) xs.push(await elapsedMs(fn));
  xs.sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, n: xs.length };
}

export function which(cmd: string): string | undefined {
  const r = spawnSync("sh", ["-c", 'command -v "$1"', "sh", cmd], { encoding: "utf8" });
  return r.stdout.trim() || undefined;
}

/** Resident set of a process in KiB, 0 when it is gone. */
export function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ESRCH")) return 0;
    throw err;
  }
}

export interface ProcInfo {
  pid: number;
  comm: string;
  cmdline: string;
}

/** Every process now running, with its name and command line. */
export function processes(): ProcInfo[] {
  const list: ProcInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      list.push({ pid: Number(entry), comm, cmdline });
    } catch (err) {
      // Exited between readdir and read.
      if (!isErrno(err, "ENOENT") && !isErrno(err, "ESRCH")) throw err;
    }
  }
  return list;
}

/** Summed RSS in KiB of the processes whose command line names one of the ids. */
export function rssOfProcessesNaming(comm: string, ids: string[]): { kb: number; count: number } {
  const found = processes().filter((p) => p.comm === comm && ids.some((id) => p.cmdline.includes(id)));
  return { kb: found.reduce((s, p) => s + rssKb(p.pid), 0), count: found.length };
}

/** Runs jobs with at most `width` at a time. */
export async function pool<T>(items: T[], width: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await job(items[next++]!);
    }),
  );
}

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** Removes containers by ID, in batches (an argv has limits); empties `ids`. */
export async function removeAll(cli: Cli, ids: string[]): Promise<void> {
  const batch = ids.splice(0);
  for (let i = 0; i < batch.length; i += 100) await must(cli, ["rm", "-f", ...batch.slice(i, i + 100)], 300_000);
}

/**
 * Waits (up to maxMs) until the machine is nearly idle for 200 ms. Removing
 * containers leaves the kernel work behind (network namespaces and cgroups are
 * torn down asynchronously): without this, a timed run that follows a removal
 * pays for the one before it, and the engine measured first looks faster.
 */
export async function settle(maxMs = 5000): Promise<void> {
  const busyShare = async (): Promise<number> => {
    const read = () => readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const a = read();
    await new Promise((r) => setTimeout(r, 200));
    const d = read().map((x, i) => x - a[i]!);
    const total = d.reduce((x, y) => x + y, 0);
    return total === 0 ? 0 : 1 - (d[3]! + d[4]!) / total;
  };
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && (await busyShare()) > 0.1);
}

/** Rebuilds dist/berth.cjs so that the CLI measured is the current code, bundled. */
export async function bundleCli(): Promise<boolean> {
  const r = await exec([process.execPath, `${repo}scripts/bundle.mjs`], { timeoutMs: 60_000 });
  if (r.code !== 0) console.error(r.stderr);
  return r.code === 0;
}

/** Whether bin/berth still picks the bundle (a tsc run during the bench makes it fall back to the slower modules). */
export function bundleFresh(): boolean {
  const mtime = (p: string): number => statSync(`${repo}dist/${p}`, { throwIfNoEntry: false })?.mtimeMs ?? Infinity;
  const list = `${repo}dist/berth.inputs.json`;
  if (!existsSync(list)) return false;
  const inputs = JSON.parse(readFileSync(list, "utf8")) as string[];
  return inputs.every((p) => mtime(p) <= mtime("berth.cjs"));
}

/** Loads berth's busybox into an anchor engine that lacks it; returns a note to print when it did. */
export async function ensureBusybox(cli: Cli, berth: Cli): Promise<string | undefined> {
  if ((await exec([...cli.argv, "image", "inspect", "busybox"], { env: cli.env })).code === 0) return undefined;
  const save = [...berth.argv, "save", "busybox"].map((a) => `'${a}'`).join(" ");
  const load = [...cli.argv, "load"].map((a) => `'${a}'`).join(" ");
  const r = await exec(["sh", "-c", `${save} | ${load}`], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`loading busybox into ${cli.name}: ${r.stderr}`);
  return `loaded busybox into ${cli.name} from berth save`;
}

/**
 * Where the benches' berthd keeps its data: beside dockerd's /var/lib/docker
 * and podman's /var/lib/containers, where a real berthd keeps it
 * (/var/lib/berth), not in the temp dir. The test suite creates and deletes
 * files there by the hundred thousand, and ext4 then takes far longer to
 * find a free inode: 400 symlinks took 90-165 ms in /tmp on this machine,
 * 4-5 ms in /var/lib; a pull of the busybox layer makes ~400.
 */
export async function benchDataDir(): Promise<string> {
  const dir = "/var/lib/berth-bench";
  await mkdir(dir, { recursive: true });
  return dir;
}
