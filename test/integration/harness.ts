// Integration-test harness: a private berthd on temporary directories and a
// private socket, driven through the real `berth` CLI (bin/berth) — the same
// path a user takes. Each harness imports its own busybox image.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { unmount } from "../../src/mount/mount.js";
import { sweepRules } from "../../src/network/sweep-rules.js";
import { fileURLToPath } from "node:url";

const repo = resolve(fileURLToPath(import.meta.url), "../../../..");
export const berthBin = join(repo, "bin/berth");
const berthdBin = join(repo, "bin/berthd");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Daemon {
  host: string;
  socket: string;
  dataRoot: string;
  execRoot: string;
  /** Runs `berth -H <host> ...args`. */
  berth(args: string[], opts?: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number }): Promise<Result>;
  /** Starts `berth ...args` and returns the process (for -f, -i, signals). */
  spawnBerth(args: string[]): ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  /** Removes every container, stops the daemon, and deletes its directories. */
  destroy(): Promise<void>;
  log(): string;
}

/**
 * busybox: import the busybox image (default true); debug: berthd's -D, a log
 * line per request (default true; benches run without, as dockerd does);
 * baseDir: where the daemon's directory is made (the system's temp dir by default).
 */
export async function startDaemon(opts: { busybox?: boolean; debug?: boolean; baseDir?: string } = {}): Promise<Daemon> {
  // Short paths: unix socket paths are limited to 108 bytes.
  const base = await mkdtemp(join(opts.baseDir ?? tmpdir(), "bt-"));
  const dataRoot = join(base, "data");
  const execRoot = join(base, "exec");
  const socket = join(base, "s.sock");
  const host = `unix://${socket}`;
  const logFile = join(base, "berthd.log");
  const configFile = join(base, "daemon.json");
  // A bridge device of its own, so test daemons never share one with each other or with a berthd on /run/berth.
  const bridge = `bt${randomBytes(3).toString("hex")}`;
  await writeFile(configFile, JSON.stringify({ bridge }) + "\n");
  let proc: ChildProcess | undefined;

  const launch = async () => {
    const { openSync } = await import("node:fs");
    const fd = openSync(logFile, "a");
    // Through bin/berthd itself, so its shebang's node flags apply as in production.
    proc = spawn(berthdBin, ["-H", host, "--data-root", dataRoot, "--exec-root", execRoot, "--config-file", configFile, ...(opts.debug === false ? [] : ["-D"])], {
      stdio: ["ignore", fd, fd],
    });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`berthd exited ${proc.exitCode}:\n${readFileSync(logFile, "utf8")}`);
      if (existsSync(socket)) {
        const r = await run(["version"]);
        if (r.code === 0) return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`berthd did not start:\n${readFileSync(logFile, "utf8")}`);
  };

  const run = (args: string[], o: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Result> =>
    new Promise((resolvePromise, reject) => {
      const child = spawn(process.execPath, ["--", berthBin, "-H", host, ...args], {
        stdio: ["pipe", "pipe", "pipe"],
        env: { ...process.env, ...o.env },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d) => out.push(d));
      child.stderr.on("data", (d) => err.push(d));
      const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
      });
      child.stdin.end(o.input);
    });

  await launch();
  const daemon: Daemon = {
    host,
    socket,
    dataRoot,
    execRoot,
    berth: run,
    spawnBerth: (args) => spawn(process.execPath, ["--", berthBin, "-H", host, ...args], { stdio: ["pipe", "pipe", "pipe"] }),
    async kill(signal = "SIGTERM") {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((r) => {
        p.once("exit", () => r());
        p.kill(signal);
      });
    },
    async restart() {
      await daemon.kill("SIGTERM");
      await launch();
    },
    async destroy() {
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const ids = (await run(["ps", "-aq"])).stdout.split("\n").filter(Boolean);
        if (ids.length) await run(["rm", "-f", ...ids]);
        await run(["network", "prune", "-f"]);
        await daemon.kill("SIGTERM");
      }
      await removeBridges(execRoot);
      // berthd keeps its exec root in a tmpfs it mounts (daemon/exec-root.ts) and leaves mounted for its containers.
      await unmount(execRoot, { lazy: true });
      await rm(base, { recursive: true, force: true, maxRetries: 3 });
    },
    log: () => readFileSync(logFile, "utf8"),
  };
  if (opts.busybox !== false) await importBusybox(daemon);
  return daemon;
}

/** Deletes the bridges a daemon made, and their rules (berth marks each with the ifalias "berth <exec-root> <network-id>"). */
async function removeBridges(execRoot: string): Promise<void> {
  const ip = (args: string[]) =>
    new Promise<string>((resolvePromise) => {
      const child = spawn("ip", args, { stdio: ["ignore", "pipe", "ignore"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.on("close", () => resolvePromise(out));
      child.on("error", () => resolvePromise(""));
    });
  const links = JSON.parse((await ip(["-j", "link", "show", "type", "bridge"])) || "[]") as Array<{ ifname: string; ifalias?: string }>;
  const ours = links.filter((l) => l.ifalias?.startsWith(`berth ${execRoot} `)).map((l) => l.ifname);
  for (const name of ours) await ip(["link", "del", name]);
  // The network rules berth made with each bridge (masquerade, FORWARD) outlive the bridge.
  if (ours.length > 0) await sweepRules({ devices: ours });
}

export async function importBusybox(d: Daemon): Promise<void> {
  const r = await d.berth(["import", "--change", 'CMD ["sh"]', "-", "busybox:latest"], { input: await busyboxTar() });
  if (r.code !== 0) throw new Error(`import busybox failed: ${r.stderr}`);
}

/** A busybox root filesystem tar, made by scripts/busybox-rootfs.sh. */
export function busyboxTar(): Promise<Buffer> {
  return new Promise<Buffer>((resolvePromise, reject) => {
    const child = spawn(join(repo, "scripts/busybox-rootfs.sh"), [], { stdio: ["ignore", "pipe", "inherit"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (c) => chunks.push(c));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolvePromise(Buffer.concat(chunks)) : reject(new Error(`busybox-rootfs.sh exited ${code}`))));
  });
}
