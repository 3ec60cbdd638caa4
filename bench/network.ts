// Network benchmark (issue 5), berth side by side with Docker measured in the
// same run when dockerd is reachable:
//   1. create and start one container on a user-defined bridge network with a
//      published port (`run -d --network n -p 127.0.0.1::80 busybox httpd`),
//      the port checked once to answer HTTP at 127.0.0.1
//   2. 50 containers started detached on one network by 4 concurrent
//      clients: start throughput (target: ≥ 3× Docker's, i.e. ≤ 1/3 its time),
//      and the same 50 with --network none, to show what the network costs;
//      by the berth CLI, and by the docker CLI pointed at the same berthd
//   3. DNS lookup latency by name on that network, measured inside one of the
//      50 containers: a shell loop runs busybox `nslookup <other container>`
//      (an A and an AAAA query to the network's DNS server: berth's on the
//      gateway, Docker's embedded one at 127.0.0.11) N times, timed with
//      /proc/uptime from inside the container. Each call includes spawning
//      nslookup, so the same loop spawning /bin/true is shown beside it; the
//      difference is the lookups themselves.
// berth runs against a private berthd (test/integration/harness.ts) destroyed
// at the end; what the bench makes in dockerd it removes by ID and name, on
// Ctrl-C too. Every command has a time limit, and the whole run a budget.
// Usage (root): node dist/bench/network.js [--runs N] [--count N] [--lookups N] [--budget SECONDS]
import { connect } from "node:net";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { startDaemon, type Daemon } from "../test/integration/harness.js";
import { benchDataDir, elapsedMs, exec, must, pool, which, type Cli, type Sample, removeAll, bundleCli, bundleFresh, ensureBusybox, settle } from "./proc.js";
import { printTable, type Row } from "./table.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg("--runs", 10);
const count = arg("--count", 50);
const lookups = arg("--lookups", 200);
const deadline = Date.now() + arg("--budget", 900) * 1000;
const timeLeft = (): number => deadline - Date.now();

const repo = fileURLToPath(new URL("../../", import.meta.url));
const DOCKERD = "unix:///var/run/docker.sock";
const token = Math.random().toString(36).slice(2, 8);

/** Undo actions for everything made, run on exit and on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const undo of cleanups.splice(0).reverse()) await undo().catch((err: Error) => console.error(`cleanup: ${err.message}`));
}

const rows: Row[] = [];
const notes: string[] = [];
const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const msec = (ms: number): string => `${ms.toFixed(2)} ms`;

/** What one engine measured; undefined figures were not reached (failure or budget). */
interface Figures {
  runMs?: Sample;
  startMs?: number;
  started?: number;
  /** The same start with --network none: what the network adds is the difference. */
  startNoneMs?: number;
  lookupMs?: number;
  spawnMs?: number;
}

async function main(): Promise<void> {
  notes.push(`node ${process.version}; ${runs} runs for figure 1 (median); ${count} containers; ${lookups} lookups; load average at start ${loadavg()[0]!.toFixed(2)}`);
  if (!(await bundleCli())) notes.push("berth CLI: unbundled dist/src (esbuild bundle failed)");
  const d: Daemon = await startDaemon({ debug: false, baseDir: await benchDataDir() });
  cleanups.push(() => d.destroy());
  const berth: Cli = { name: "berth → berthd", argv: [`${repo}bin/berth`, "-H", d.host] };
  const docker = which("docker");
  let dockerd: Cli | undefined = docker ? { name: "docker CLI → dockerd", argv: [docker, "-H", DOCKERD] } : undefined;
  if (dockerd && (await exec([...dockerd.argv, "info"], { timeoutMs: 20_000 })).code !== 0) dockerd = undefined;
  if (!dockerd) notes.push("DOCKERD NOT REACHABLE at /var/run/docker.sock: no Docker anchor, no ratios");
  else {
    const loaded = await ensureBusybox(dockerd, berth);
    if (loaded) notes.push(loaded);
  }

  // Docker first: it is the anchor the target is stated against.
  const anchor = dockerd ? await measureEngine(dockerd) : undefined;
  if (!bundleFresh()) await bundleCli();
  const ours = await measureEngine(berth);
  // The same daemon driven by the docker CLI, as users who switch keep doing:
  // berthd's throughput without the berth CLI's Node start-up in every run.
  const viaDocker = docker ? await measureEngine({ name: "docker CLI → berthd", argv: [docker, "-H", d.host] }, { only: "start" }) : undefined;
  report(ours, anchor, viaDocker);
}

function report(ours: Figures, anchor: Figures | undefined, viaDocker: Figures | undefined): void {
  /** berth's figure, Docker's beside it, and their ratio (lower is better for berth). */
  const cells = (get: (f: Figures) => number | undefined, show: (x: number) => string, mine: Figures = ours): Row => {
    const [a, b] = [get(mine), anchor && get(anchor)];
    return { value: a === undefined ? undefined : show(a), ref: b === undefined ? undefined : `docker ${show(b)}`, ratio: a !== undefined && b !== undefined ? a / b : undefined };
  };
  const perSec = (f: Figures): string | undefined => (f.startMs !== undefined && f.started ? `${((f.started * 1000) / f.startMs).toFixed(1)}/s` : undefined);
  const lookupsAlone = (f: Figures): number | undefined => (f.lookupMs !== undefined && f.spawnMs !== undefined ? f.lookupMs - f.spawnMs : undefined);

  rows.push({ section: "run -d on a user network with -p 127.0.0.1::80 (busybox httpd), median" });
  rows.push({ label: "berth → berthd", ...cells((f) => f.runMs?.median, sec) });
  rows.push({ section: `${count} containers started on one network, 4 clients (time; lower is better)` });
  rows.push({ label: "berth → berthd", ...cells((f) => f.startMs, sec), target: 1 / 3 });
  rows.push({ label: "  start throughput", value: perSec(ours), ref: anchor && perSec(anchor) && `docker ${perSec(anchor)}` });
  rows.push({ label: "  same with --network none", ...cells((f) => f.startNoneMs, sec) });
  if (viaDocker) {
    rows.push({ label: "docker CLI → berthd", ...cells((f) => f.startMs, sec, viaDocker), target: 1 / 3 });
    rows.push({ label: "  start throughput", value: perSec(viaDocker), ref: anchor && perSec(anchor) && `docker ${perSec(anchor)}` });
    rows.push({ label: "  same with --network none", ...cells((f) => f.startNoneMs, sec, viaDocker) });
  }
  rows.push({ section: `DNS by name inside a container, per nslookup call (A + AAAA), mean of ${lookups}` });
  rows.push({ label: "nslookup <container name>", ...cells((f) => f.lookupMs, msec) });
  rows.push({ label: "  spawning /bin/true alone", ...cells((f) => f.spawnMs, msec), ratio: undefined });
  rows.push({ label: "  lookups alone (difference)", ...cells(lookupsAlone, msec) });
}

/** All three figures for one engine, on a network of its own; a failure ends that engine's figures with a note. */
async function measureEngine(cli: Cli, o: { only?: "start" } = {}): Promise<Figures> {
  const figures: Figures = {};
  const network = `bench-net-${token}-${o.only ?? "all"}`;
  try {
    await must(cli, ["network", "create", network]);
    cleanups.push(() => must(cli, ["network", "rm", network]));
    if (!o.only) figures.runMs = await publishedRuns(cli, network);
    if (timeLeft() <= 0) return note(figures, `${cli.name}: time budget spent before the ${count}-container start`);
    const names = Array.from({ length: count }, (_, i) => `bench-${token}-${i}`);
    const onNetwork = await startMany(cli, names, ["--network", network]);
    figures.startMs = onNetwork.ms;
    figures.started = onNetwork.ids.length;
    if (!o.only) Object.assign(figures, await lookupLoop(cli, names[0]!, names[1]!));
    await removeAll(cli, onNetwork.ids);
    if (timeLeft() <= 0) return note(figures, `${cli.name}: time budget spent before the --network none start`);
    const offNetwork = await startMany(cli, names, ["--network", "none"]);
    figures.startNoneMs = offNetwork.ms;
    await removeAll(cli, offNetwork.ids);
  } catch (err) {
    notes.push(`${cli.name} FAILED: ${(err as Error).message}`);
  }
  return figures;
}

/** `run -d … sleep 600` for every name, 4 clients at a time; ids is registered for cleanup before the first start. */
async function startMany(cli: Cli, names: string[], flags: string[]): Promise<{ ms: number; ids: string[] }> {
  const ids: string[] = [];
  cleanups.push(() => removeAll(cli, ids));
  await settle();
  const ms = await elapsedMs(() =>
    pool(names, 4, async (name) => {
      ids.push((await must(cli, ["run", "-d", ...flags, "--name", name, "busybox", "sleep", "600"])).trim());
    }),
  );
  return { ms, ids };
}

function note(figures: Figures, text: string): Figures {
  notes.push(text);
  return figures;
}

/** Figure 1: `run -d` with a published port, timed; each container removed untimed. The first one's port must answer. */
async function publishedRuns(cli: Cli, network: string): Promise<Sample> {
  const ids: string[] = [];
  cleanups.push(() => removeAll(cli, ids));
  const xs: number[] = [];
  // One warm-up run (it also checks the port), then up to `runs` timed ones while time is left.
  for (let i = 0; i <= runs && (i < 4 || timeLeft() > 0); i++) {
    let id = "";
    const ms = await elapsedMs(async () => {
      id = (await must(cli, ["run", "-d", "--network", network, "-p", "127.0.0.1::80", "busybox", "httpd", "-f", "-p", "80"])).trim();
    });
    ids.push(id);
    if (i === 0) await expectHttp((await must(cli, ["port", id, "80/tcp"])).trim().split("\n")[0]!);
    else xs.push(ms);
    await removeAll(cli, ids);
  }
  xs.sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, n: xs.length };
}

/** Fails unless something answers HTTP at host:port within a few seconds (httpd may still be starting). */
async function expectHttp(hostPort: string): Promise<void> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(":")), Number(hostPort.slice(hostPort.lastIndexOf(":") + 1))];
  const deadlineMs = Date.now() + 5000;
  for (;;) {
    const reply = await new Promise<string>((resolve) => {
      const socket = connect({ host, port }, () => socket.end("GET / HTTP/1.0\r\n\r\n"));
      let text = "";
      socket.on("data", (d: Buffer) => (text += d.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(""));
      socket.setTimeout(2000, () => socket.destroy());
    });
    if (reply.startsWith("HTTP/1.")) return;
    if (Date.now() > deadlineMs) throw new Error(`published port ${hostPort} did not answer HTTP`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Figure 3, timed inside the container with /proc/uptime (centiseconds: over
 * hundreds of calls the error stays well under the figures). The name must
 * first resolve to the target's address on the network, or nothing is measured.
 */
async function lookupLoop(cli: Cli, from: string, target: string): Promise<Pick<Figures, "lookupMs" | "spawnMs">> {
  const ip = (await must(cli, ["inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", target])).trim();
  const once = await must(cli, ["exec", from, "nslookup", target]);
  if (!ip || !once.includes(ip)) throw new Error(`nslookup ${target} in ${from} did not give ${ip || "(no address)"}:\n${once}`);
  // "12345.67" seconds in /proc/uptime → 1234567 centiseconds: shell arithmetic has no fractions.
  const loop = (command: string): string =>
    `n=${lookups}; i=0; fails=0; read a _ < /proc/uptime; ` +
    `while [ $i -lt $n ]; do ${command} >/dev/null 2>&1 || fails=$((fails+1)); i=$((i+1)); done; ` +
    'read b _ < /proc/uptime; echo $(( ${b%.*}${b#*.} - ${a%.*}${a#*.} )) $fails';
  const timed = async (command: string): Promise<number> => {
    const [centis, fails] = (await must(cli, ["exec", from, "sh", "-c", loop(command)], 600_000)).trim().split(/\s+/).map(Number);
    if (fails) throw new Error(`${cli.name}: ${fails} of ${lookups} runs of "${command}" failed`);
    return (centis! * 10) / lookups;
  };
  return { lookupMs: await timed(`nslookup ${target}`), spawnMs: await timed("/bin/true") };
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
if (!bundleFresh()) notes.push("dist was rebuilt during the run: some berth commands may have run unbundled");
notes.push(`load average at end ${loadavg()[0]!.toFixed(2)}`);
await cleanUp();
printTable(rows, notes);
if (failed) {
  console.error(failed);
  process.exitCode = 1;
}
