// Engine benchmarks, printed side by side with docker CLI → dockerd (and
// podman) measured in the same run when they are installed:
//   1. `run --rm --network none busybox true`: berth → berthd, docker CLI →
//      berthd, docker CLI → dockerd, podman; and the berth CLI's start-up
//   2. 20 containers started detached (`sleep`) by 4 concurrent clients
//   3. berthd RSS idle, and RSS added per running container (berthd's growth
//      plus its conmon) against dockerd+containerd and containerd-shim
//   4. `ps -a` with 100 and 1,000 containers present (docker: 100), and the
//      API request alone (GET /containers/json?all=1 from the bench process)
// berth runs against a private berthd (test/integration/harness.ts, which
// starts bin/berthd itself so its shebang's node flags apply) that is
// destroyed at the end; what the bench makes in dockerd or podman it removes
// by ID, on Ctrl-C too. Every command has a time limit, and the whole run a
// budget after which the sections left print as skipped.
// Usage (root): node dist/bench/engine.js [--runs N] [--ps N] [--budget SECONDS] [--skip-ps] [--no-podman]
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { createClient } from "../src/client/client.js";
import { startDaemon, type Daemon } from "../test/integration/harness.js";
import { benchDataDir, exec, must, pool, processes, rssKb, rssOfProcessesNaming, sample, which, elapsedMs, type Cli, type Sample, removeAll, bundleCli, bundleFresh, ensureBusybox } from "./proc.js";
import { printTable, type Row } from "./table.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg("--runs", 10);
const psCount = arg("--ps", 1000);
const deadline = Date.now() + arg("--budget", 1200) * 1000;
const timeLeft = (): number => deadline - Date.now();
const skipPs = process.argv.includes("--skip-ps");
const noPodman = process.argv.includes("--no-podman");

const repo = fileURLToPath(new URL("../../", import.meta.url));
const DOCKERD = "unix:///var/run/docker.sock";
// podman's default rlimits (nofile 1048576…) exceed this machine's hard limits.
const PODMAN_RUN_FLAGS = ["--ulimit", "nofile=1024:20000", "--ulimit", "nproc=1000:1000"];
const token = Math.random().toString(36).slice(2, 8);

/** Undo actions for everything made outside the private berthd, run on exit and on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const undo of cleanups.splice(0).reverse()) await undo().catch((err: Error) => console.error(`cleanup: ${err.message}`));
}

const rows: Row[] = [];
const notes: string[] = [];
const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
const show = (s: Sample): string => `${sec(s.median)}`;
const millis = (s: Sample): string => `${s.median.toFixed(1)} ms`;

async function main(): Promise<void> {
  notes.push(`node ${process.version}; ${runs} runs per figure (median); load average at start ${loadavg()[0]!.toFixed(2)}`);
  const bundled = await bundleCli();
  notes.push(bundled ? "berth CLI: one-file bundle dist/berth.cjs with its V8 code cache (rebuilt by the bench)" : "berth CLI: unbundled dist/src (esbuild bundle failed)");

  const d: Daemon = await startDaemon({ debug: false, baseDir: await benchDataDir() });
  cleanups.push(() => d.destroy());
  const berth: Cli = { name: "berth → berthd", argv: [`${repo}bin/berth`, "-H", d.host] };
  const docker = which("docker");
  const dockerBerth: Cli | undefined = docker ? { name: "docker CLI → berthd", argv: [docker, "-H", d.host] } : undefined;
  let dockerd: Cli | undefined = docker ? { name: "docker CLI → dockerd", argv: [docker, "-H", DOCKERD] } : undefined;
  if (dockerd && (await exec([...dockerd.argv, "info"], { timeoutMs: 20_000 })).code !== 0) dockerd = undefined;
  const podmanPath = noPodman ? undefined : which("podman");
  const podman: Cli | undefined = podmanPath ? { name: "podman", argv: [podmanPath], runFlags: PODMAN_RUN_FLAGS } : undefined;
  for (const other of [dockerd, podman]) {
    const loaded = other && (await ensureBusybox(other, berth));
    if (loaded) notes.push(loaded);
  }
  if (!dockerd) notes.push("dockerd not reachable at /var/run/docker.sock: no docker anchor, no ratios");

  const engines: Engines = { d, berth, dockerBerth, dockerd, podman };
  await latency(engines);
  await burstsAndMemory(engines);
  if (!skipPs) await listing(engines);
}

interface Engines {
  d: Daemon;
  berth: Cli;
  dockerBerth?: Cli;
  dockerd?: Cli;
  podman?: Cli;
}

/** 1. Latency of one short container, and the CLI's start-up. */
async function latency({ berth, dockerBerth, dockerd, podman }: Engines): Promise<void> {
  const runArgs = (cli: Cli): string[] => ["run", "--rm", "--network", "none", ...(cli.runFlags ?? []), "busybox", "true"];
  const timeRun = (cli: Cli): Promise<Sample> => measured(cli, () => sample(runs, () => must(cli, runArgs(cli)), timeLeft));
  const anchor = dockerd ? await timeRun(dockerd) : undefined;
  const vsDockerd = (s: Sample, target?: number): Row => ({ value: show(s), ref: anchor && show(anchor), ratio: anchor && s.median / anchor.median, target });
  rows.push({ section: "run --rm --network none busybox true" });
  rows.push({ label: "berth → berthd", ...vsDockerd(await timeRun(berth), 0.5) });
  if (dockerBerth) rows.push({ label: "docker CLI → berthd", ...vsDockerd(await timeRun(dockerBerth), 1 / 3) });
  if (anchor) rows.push({ label: "docker CLI → dockerd", value: show(anchor) });
  if (podman) rows.push({ label: "podman (no daemon)", ...vsDockerd(await timeRun(podman)) });
  const startup = await measured(berth, () => sample(runs, () => must(berth, ["--version"]), timeLeft));
  // bin/berth drops NODE_EXTRA_CA_CERTS (see there); the bare node start it is compared with does too.
  const nodeOnly = await sample(runs, () => exec([process.execPath, "-e", "0"], { env: { NODE_EXTRA_CA_CERTS: undefined } }), timeLeft);
  rows.push({ label: "berth --version (CLI start-up)", value: show(startup), ref: `node -e 0: ${show(nodeOnly)}` });

}

/** 2 and 3. Twenty detached containers from four clients, and the memory they add. */
async function burstsAndMemory({ d, berth, dockerBerth, dockerd, podman }: Engines): Promise<void> {
  if (timeLeft() <= 0) return void notes.push("time budget spent: detached runs and memory skipped");
  rows.push({ section: "20 detached runs (sleep), 4 concurrent clients" });
  const berthdPid = Number(readFileSync(`${d.execRoot}/berthd.pid`, "utf8").trim());
  const berthIdle = rssKb(berthdPid);
  // Not repeated when the bundle goes stale meanwhile: the names would clash.
  if (!bundleFresh()) await bundleCli();
  const berthBurst = await burst(berth);
  const berthBusy = rssKb(berthdPid);
  const conmons = rssOfProcessesNaming("conmon", berthBurst.ids);
  await removeAll(berth, berthBurst.ids);
  let dockerBurst: Burst | undefined;
  let dockerMem: { idle: number; busy: number; shims: { kb: number; count: number } } | undefined;
  if (dockerd) {
    const daemons = processes().filter((p) => p.comm === "dockerd" || (p.comm === "containerd" && p.cmdline.includes("/var/run/docker/containerd")));
    const rss = (): number => daemons.reduce((s, p) => s + rssKb(p.pid), 0);
    const idle = rss();
    dockerBurst = await burst(dockerd);
    dockerMem = { idle, busy: rss(), shims: rssOfProcessesNaming("containerd-shim", dockerBurst.ids) };
    await removeAll(dockerd, dockerBurst.ids);
  }
  const vsDockerBurst = (b: Burst): Row => ({ value: sec(b.ms), ref: dockerBurst && sec(dockerBurst.ms), ratio: dockerBurst && b.ms / dockerBurst.ms });
  rows.push({ label: "berth → berthd", ...vsDockerBurst(berthBurst) });
  if (dockerBerth) {
    const b = await burst(dockerBerth);
    await removeAll(dockerBerth, b.ids);
    rows.push({ label: "docker CLI → berthd", ...vsDockerBurst(b) });
  }
  if (dockerBurst) rows.push({ label: "docker CLI → dockerd", value: sec(dockerBurst.ms) });
  let podmanConmon: { kb: number; count: number } | undefined;
  if (podman) {
    const b = await burst(podman);
    podmanConmon = rssOfProcessesNaming("conmon", b.ids);
    await removeAll(podman, b.ids);
    rows.push({ label: "podman", ...vsDockerBurst(b) });
  }

  rows.push({ section: "memory (RSS)" });
  rows.push({ label: "berthd idle", value: mb(berthIdle), ref: dockerMem && `dockerd+containerd ${mb(dockerMem.idle)}`, ratio: dockerMem && berthIdle / dockerMem.idle });
  const perBerth = (berthBusy - berthIdle + conmons.kb) / berthBurst.count;
  const perDocker = dockerMem && (dockerMem.busy - dockerMem.idle + dockerMem.shims.kb) / dockerBurst!.count;
  rows.push({ label: "per running container: berthd growth + conmon", value: mb(perBerth), ref: perDocker !== undefined ? `daemons' growth + shim ${mb(perDocker)}` : undefined, ratio: perDocker && perBerth / perDocker });
  rows.push({ label: `  of which conmon (${conmons.count} found)`, value: mb(conmons.kb / Math.max(conmons.count, 1)), ref: dockerMem && `containerd-shim (${dockerMem.shims.count}) ${mb(dockerMem.shims.kb / Math.max(dockerMem.shims.count, 1))}` });
  if (podmanConmon) rows.push({ label: `  podman's conmon (${podmanConmon.count} found)`, value: mb(podmanConmon.kb / Math.max(podmanConmon.count, 1)) });

}

interface Burst {
  ms: number;
  count: number;
  /** Emptied by removeAll, so that the final cleanup does not remove them again. */
  ids: string[];
}

async function burst(cli: Cli): Promise<Burst> {
  const ids: string[] = [];
  // Registered before starting, so that Ctrl-C midway removes what was started.
  cleanups.push(() => removeAll(cli, ids));
  const ms = await elapsedMs(() =>
    Promise.all(
      [0, 1, 2, 3].map(async (c) => {
        for (let i = 0; i < 5; i++) {
          const args = ["run", "-d", "--network", "none", ...(cli.runFlags ?? []), "--name", `bench-${token}-${c}-${i}`, "busybox", "sleep", "600"];
          ids.push((await must(cli, args)).trim());
        }
      }),
    ),
  );
  return { ms, count: ids.length, ids };
}


/** 4. Listing many containers. */
async function listing(o: Engines): Promise<void> {
  if (timeLeft() <= 0) return void notes.push("time budget spent: ps -a skipped");
  rows.push({ section: "ps -a with many containers" });
  const client = createClient({ host: o.d.host });
  let made = 0;
  const fill = async (n: number): Promise<void> => {
    const todo = Array.from({ length: n - made }, (_, i) => made + i);
    await pool(todo, 4, async () => {
      await client.containers.create({ Image: "busybox", Cmd: ["true"], HostConfig: { NetworkMode: "none" } });
    });
    made = n;
  };
  const psTime = async (cli: Cli, expect: number): Promise<Sample> => {
    const lines = (await must(cli, ["ps", "-a"])).trim().split("\n").length - 1;
    if (lines < expect) throw new Error(`${cli.name}: ps -a listed ${lines} containers, expected ${expect}`);
    return measured(cli, () => sample(runs, () => must(cli, ["ps", "-a"]), timeLeft));
  };
  let anchor: Sample | undefined;
  let apiAnchor: Sample | undefined;
  if (o.dockerd) {
    const ids: string[] = [];
    cleanups.push(() => removeAll(o.dockerd!, ids));
    await pool(Array.from({ length: 100 }), 4, async () => {
      ids.push((await must(o.dockerd!, ["create", "--network", "none", "--label", `berth-bench=${token}`, "busybox", "true"])).trim());
    });
    anchor = await psTime(o.dockerd, 100);
    apiAnchor = await apiTime(DOCKERD, 100);
    await removeAll(o.dockerd, ids);
  }
  const vs = (s: Sample): Row => ({ value: show(s), ref: anchor && `docker → dockerd, 100: ${show(anchor)}`, ratio: anchor && s.median / anchor.median });
  const apiVs = (s: Sample): Row => ({ value: millis(s), ref: apiAnchor && `dockerd, 100: ${millis(apiAnchor)}`, ratio: apiAnchor && s.median / apiAnchor.median });
  const fillMs = await elapsedMs(() => fill(100));
  rows.push({ label: "berth, 100 containers", ...vs(await psTime(o.berth, 100)) });
  if (o.dockerBerth) rows.push({ label: "docker CLI → berthd, 100", ...vs(await psTime(o.dockerBerth, 100)) });
  rows.push({ label: "API alone, berthd, 100", ...apiVs(await apiTime(o.d.host, 100)) });
  if (timeLeft() <= 0) {
    notes.push(`time budget spent: ps -a with ${psCount} skipped`);
    return;
  }
  const moreMs = await elapsedMs(() => fill(psCount));
  notes.push(`created ${psCount} containers through the API, 4 at a time, in ${sec(fillMs + moreMs)}`);
  rows.push({ label: `berth, ${psCount} containers`, ...vs(await psTime(o.berth, psCount)) });
  if (o.dockerBerth) rows.push({ label: `docker CLI → berthd, ${psCount}`, ...vs(await psTime(o.dockerBerth, psCount)) });
  rows.push({ label: `API alone, berthd, ${psCount}`, ...apiVs(await apiTime(o.d.host, psCount)) });
  client.close();
}

/**
 * GET /containers/json?all=1 from the bench process on a fresh connection,
 * as curl makes it: the engine's own time, without a CLI's start-up and
 * formatting. The answer is checked once, outside the timed runs.
 */
async function apiTime(host: string, expect: number): Promise<Sample> {
  const socketPath = host.replace(/^unix:\/\//, "");
  const list = () =>
    new Promise<{ status?: number; body: Buffer }>((resolve, reject) => {
      const req = request({ socketPath, path: "/containers/json?all=1", agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c)).on("error", reject);
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      });
      req.on("error", reject).end();
    });
  const { status, body } = await list();
  const count = status === 200 ? (JSON.parse(body.toString()) as unknown[]).length : -1;
  if (count < expect) throw new Error(`${host}: GET /containers/json answered ${status} with ${count} containers, expected ${expect}`);
  return sample(runs, list, timeLeft);
}

let staleRuns = 0;

/**
 * Runs a measurement of the berth CLI with the bundle in place: others may
 * run tsc meanwhile (bin/berth then falls back to the slower unbundled
 * modules), so the bundle is refreshed first, and once more and the
 * measurement repeated when it went stale during it. Other CLIs run as is.
 */
async function measured<T>(cli: Cli, fn: () => Promise<T>): Promise<T> {
  if (!cli.argv.some((a) => a.endsWith("bin/berth"))) return fn();
  for (let attempt = 0; ; attempt++) {
    if (!bundleFresh()) await bundleCli();
    const result = await fn();
    if (bundleFresh()) return result;
    if (attempt === 1) {
      staleRuns++;
      return result;
    }
  }
}




for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

let failed: unknown;
try {
  await main();
} catch (err) {
  failed = err;
}
if (staleRuns > 0) notes.push(`dist was rebuilt during ${staleRuns} berth measurement(s) twice over: those may include unbundled runs`);
notes.push(`load average at end ${loadavg()[0]!.toFixed(2)}`);
await cleanUp();
printTable(rows, notes);
if (failed) {
  console.error(failed);
  process.exitCode = 1;
}
