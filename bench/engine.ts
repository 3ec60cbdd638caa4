// Engine benchmarks, printed side by side with the anchors measured in the
// same run (docker CLI → dockerd, podman) when they are installed:
//   1. `run --rm --network none busybox true`: docker CLI → berthd, berth → berthd, docker → dockerd, podman
//   2. 20 containers started detached by 4 concurrent clients
//   3. `ps -a` with 1,000 containers present
//   4. berthd RSS idle, and RSS added per running container (conmon included)
// Usage: node dist/bench/engine.js [--runs N] [--skip-ps]
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { startDaemon, type Daemon } from "../test/integration/harness.js";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 10;
const skipPs = process.argv.includes("--skip-ps");

function exec(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ...env } });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? -1));
  });
}

async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function median(n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) xs.push(await timeIt(fn));
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

function which(cmd: string): string | undefined {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).stdout.trim() || undefined;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0);
}

function pidsOf(name: string): number[] {
  return spawnSync("pgrep", ["-x", name], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
}

const rows: [string, string, string][] = [];
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

async function main() {
  const d: Daemon = await startDaemon();
  const docker = which("docker");
  const dockerd = docker && spawnSync(docker, ["-H", "unix:///var/run/docker.sock", "info"], { stdio: "ignore" }).status === 0;
  const podman = which("podman");
  try {
    const berthRun = await median(runs, () => exec(process.execPath, ["bin/berth", "-H", d.host, "run", "--rm", "--network", "none", "busybox", "true"]));
    let dockerBerth: number | undefined;
    if (docker) dockerBerth = await median(runs, () => exec(docker, ["run", "--rm", "--network", "none", "busybox", "true"], { DOCKER_HOST: d.host }));
    let dockerDockerd: number | undefined;
    if (dockerd) {
      // Give dockerd the same busybox image, through save/load.
      spawnSync("sh", ["-c", `node bin/berth -H ${d.host} save busybox | ${docker} -H unix:///var/run/docker.sock load`], { stdio: "ignore" });
      dockerDockerd = await median(runs, () => exec(docker!, ["-H", "unix:///var/run/docker.sock", "run", "--rm", "--network", "none", "busybox", "true"]));
    }
    let podmanRun: number | undefined;
    if (podman) podmanRun = await median(runs, () => exec(podman, ["run", "--rm", "--network", "none", "busybox", "true"]));
    const anchor = dockerDockerd;
    const ratio = (x?: number) => (x !== undefined && anchor ? `${(x / anchor).toFixed(2)}× docker→dockerd` : "");
    rows.push(["run --rm true: docker CLI → berthd", dockerBerth !== undefined ? fmt(dockerBerth) : "n/a", ratio(dockerBerth)]);
    rows.push(["run --rm true: berth → berthd", fmt(berthRun), ratio(berthRun)]);
    rows.push(["run --rm true: docker CLI → dockerd", anchor !== undefined ? fmt(anchor) : "not running", ""]);
    rows.push(["run --rm true: podman", podmanRun !== undefined ? fmt(podmanRun) : "not installed", ratio(podmanRun)]);
    rows.push(["berth CLI start-up (--version)", fmt(await median(runs, () => exec(process.execPath, ["bin/berth", "--version"]))), ""]);

    // 20 detached containers from 4 concurrent clients.
    const burst = async (cli: string[], env: Record<string, string>) =>
      timeIt(() =>
        Promise.all(
          [0, 1, 2, 3].map(async (c) => {
            for (let i = 0; i < 5; i++) await exec(cli[0]!, [...cli.slice(1), "run", "-d", "--network", "none", "--name", `burst-${c}-${i}`, "busybox", "sleep", "60"], env);
          }),
        ),
      );
    const cleanup = async (cli: string[], env: Record<string, string>) => {
      const names = [0, 1, 2, 3].flatMap((c) => [0, 1, 2, 3, 4].map((i) => `burst-${c}-${i}`));
      await exec(cli[0]!, [...cli.slice(1), "rm", "-f", ...names], env);
    };
    const berthCli = [process.execPath, "bin/berth", "-H", d.host];
    const idleRss = rssKb(await berthdPid(d));
    const conmonsBefore = pidsOf("conmon").length;
    const tBerth = await burst(berthCli, {});
    // Memory with 20 running containers: berthd growth plus every new conmon.
    const busyRss = rssKb(await berthdPid(d));
    const conmonRss = pidsOf("conmon").slice(conmonsBefore).reduce((s, p) => s + rssKb(p), 0);
    await cleanup(berthCli, {});
    let tDocker: number | undefined;
    if (dockerd) {
      const dockerCli = [docker!, "-H", "unix:///var/run/docker.sock"];
      tDocker = await burst(dockerCli, {});
      await cleanup(dockerCli, {});
    }
    rows.push(["20 detached runs, 4 clients: berth", fmt(tBerth), tDocker ? `${(tDocker / tBerth).toFixed(2)}× docker's throughput` : ""]);
    rows.push(["20 detached runs, 4 clients: docker → dockerd", tDocker !== undefined ? fmt(tDocker) : "not running", ""]);
    rows.push(["berthd RSS idle", `${(idleRss / 1024).toFixed(1)} MB`, "dockerd+containerd 175 MB (issue figure)"]);
    rows.push(["RSS per running container (berthd growth + conmon)", `${((busyRss - idleRss + conmonRss) / 20 / 1024).toFixed(2)} MB`, "Docker shim 12.9 MB (issue figure)"]);

    if (!skipPs) {
      for (let i = 0; i < 1000; i++) await exec(process.execPath, ["bin/berth", "-H", d.host, "create", "--network", "none", "busybox", "true"]);
      const psBerth = await median(runs, () => exec(process.execPath, ["bin/berth", "-H", d.host, "ps", "-a"]));
      rows.push(["ps -a, 1,000 containers: berth", fmt(psBerth), "Docker with 100: 0.024 s (issue figure)"]);
      if (docker) rows.push(["ps -a, 1,000 containers: docker CLI → berthd", fmt(await median(runs, () => exec(docker, ["ps", "-a"], { DOCKER_HOST: d.host }))), ""]);
    }
  } finally {
    await d.destroy();
  }
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [name, value, note] of rows) console.log(`${name.padEnd(w)}  ${value.padStart(14)}  ${note}`);
}

async function berthdPid(d: Daemon): Promise<number> {
  return Number(readFileSync(`${d.execRoot}/berthd.pid`, "utf8").trim());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
