// Build benchmark: a 10-step Dockerfile with a 2,000-file context — cold build
// (--no-cache), fully cached rebuild, and rebuild after one copied file
// changed — through berthd (berth CLI and the docker CLI with the classic
// builder protocol), side by side with dockerd's classic builder and BuildKit
// when docker is installed. Ratios are berth (docker CLI → berthd) over the
// anchor; the target is BuildKit's figures.
// Usage (root): node dist/bench/build.js [--runs N] [--files N] [--budget SECONDS]
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDaemon, type Daemon } from "../test/integration/harness.js";
import { benchDataDir, elapsedMs, exec, which, type Cli, type Sample } from "./proc.js";
import { printTable, type Row } from "./table.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg("--runs", 5);
const fileCount = arg("--files", 2000);
const deadline = Date.now() + arg("--budget", 900) * 1000;
const timeLeft = (): number => deadline - Date.now();
const repo = fileURLToPath(new URL("../../", import.meta.url));
const DOCKERD = "unix:///var/run/docker.sock";
const token = Math.random().toString(36).slice(2, 8);

const DOCKERFILE = `FROM busybox
ARG VERSION=1
ENV APP_HOME=/app
WORKDIR /app
COPY config/ ./config/
RUN echo "version $VERSION" > /version.txt
COPY src/ ./src/
RUN find /app/src -type f | wc -l > /files.txt
LABEL bench=build
CMD ["cat", "/files.txt"]
`;

async function makeContext(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bench-build-"));
  await writeFile(join(dir, "Dockerfile"), DOCKERFILE);
  await mkdir(join(dir, "config"));
  for (let i = 0; i < 5; i++) await writeFile(join(dir, "config", `c${i}.conf`), `setting${i}=${i}\n`);
  // 2,000 files in 40 directories, 1–8 KiB each: a mid-sized source tree.
  for (let d = 0; d < 40; d++) await mkdir(join(dir, "src", `d${d}`), { recursive: true });
  for (let i = 0; i < fileCount; i++) {
    const size = 1024 + ((i * 2654435761) % 7168);
    await writeFile(join(dir, "src", `d${i % 40}`, `f${i}.txt`), Buffer.alloc(size, 97 + (i % 26)));
  }
  return dir;
}

interface Builder {
  name: string;
  argv: string[];
  env: Record<string, string | undefined>;
  /** Removes what the builder keeps (image and cache) between cold runs. */
  reset: () => Promise<void>;
}

const rows: Row[] = [];
const notes: string[] = [];
const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;

async function main(): Promise<void> {
  notes.push(`node ${process.version}; ${runs} runs per figure (median); ${fileCount} files in the context; load average ${loadavg()[0]!.toFixed(2)}`);
  const ctx = await makeContext();
  const d: Daemon = await startDaemon({ debug: false, baseDir: await benchDataDir() });
  const cleanups: (() => Promise<unknown>)[] = [() => d.destroy(), () => rm(ctx, { recursive: true, force: true })];
  try {
    const tag = `bench-build-${token}`;
    const builders: Builder[] = [];
    const berthCli: Cli = { name: "berth → berthd", argv: [`${repo}bin/berth`, "-H", d.host] };
    const prune = (cli: string[], env: Record<string, string | undefined> = {}) => async () => {
      await exec([...cli, "rmi", "-f", tag], { env });
      await exec([...cli, "builder", "prune", "-a", "-f"], { env });
    };
    builders.push({ name: berthCli.name, argv: berthCli.argv, env: {}, reset: prune(berthCli.argv) });
    const docker = which("docker");
    // The docker.io package's 20.10 client is the one that drives BuildKit without the buildx plugin;
    // berthd is measured with that same client, so both rows pay the same client costs.
    const legacyClient = existsSync("/usr/bin/docker") ? "/usr/bin/docker" : docker;
    if (legacyClient) {
      builders.push({
        name: "docker CLI → berthd",
        argv: [legacyClient, "-H", d.host],
        env: { DOCKER_BUILDKIT: "0" },
        reset: prune([legacyClient, "-H", d.host]),
      });
    }
    const dockerdUp = docker && (await exec([docker, "-H", DOCKERD, "info"], { timeoutMs: 20_000 })).code === 0;
    if (dockerdUp) {
      // Same base image in dockerd: berth's busybox, saved and loaded.
      const saved = join(ctx, "..", `busybox-${token}.tar`);
      await exec([...berthCli.argv, "save", "-o", saved, "busybox"]);
      await exec([docker!, "-H", DOCKERD, "load", "-i", saved]);
      await rm(saved, { force: true });
      builders.push({
        name: "dockerd classic",
        argv: [docker!, "-H", DOCKERD],
        env: { DOCKER_BUILDKIT: "0" },
        reset: async () => void (await exec([docker!, "-H", DOCKERD, "rmi", "-f", tag])),
      });
      const bk = await exec([legacyClient!, "-H", DOCKERD, "build", "-q", "-t", `${tag}-probe`, "-"], {
        env: { DOCKER_BUILDKIT: "1" },
        input: "FROM busybox\n",
      });
      if (bk.code === 0) {
        await exec([legacyClient!, "-H", DOCKERD, "rmi", "-f", `${tag}-probe`]);
        builders.push({
          name: "dockerd BuildKit",
          argv: [legacyClient!, "-H", DOCKERD],
          env: { DOCKER_BUILDKIT: "1" },
          reset: async () => {
            await exec([legacyClient!, "-H", DOCKERD, "rmi", "-f", tag]);
            await exec([legacyClient!, "-H", DOCKERD, "builder", "prune", "-a", "-f"], { env: { DOCKER_BUILDKIT: "1" } });
          },
        });
      } else notes.push(`BuildKit not available: ${bk.stderr.trim().split("\n").at(-1)}`);
      cleanups.push(async () => {
        await exec([docker!, "-H", DOCKERD, "rmi", "-f", tag]);
      });
    } else notes.push("dockerd not reachable: no anchors");

    const build = async (b: Builder, extra: string[] = []): Promise<void> => {
      const r = await exec([...b.argv, "build", "-q", ...extra, "-t", tag, ctx], { env: b.env, timeoutMs: 300_000 });
      if (r.code !== 0) throw new Error(`${b.name}: build failed: ${r.stderr}`);
    };
    // The machine's I/O speed drifts over minutes: every round measures each
    // builder in turn, so the ratios compare runs made at the same time.
    const times = new Map<string, { cold: number[]; cached: number[]; changed: number[] }>();
    for (const b of builders) {
      times.set(b.name, { cold: [], cached: [], changed: [] });
      await b.reset();
      await build(b); // warm-up: the base image's layers are read once everywhere
    }
    const round = async (key: "cold" | "cached" | "changed", extra: string[], before?: () => Promise<void>): Promise<void> => {
      for (let r = 0; r < runs && (r < 3 || timeLeft() > 0); r++) {
        for (const b of builders) {
          // Outside the timing: a change every builder sees fresh (two of them share one berthd cache).
          await before?.();
          times.get(b.name)![key].push(await elapsedMs(() => build(b, extra)));
        }
      }
    };
    let counter = 0;
    await round("cold", ["--no-cache"]);
    await round("cached", []);
    await round("changed", [], () => writeFile(join(ctx, "src", "d7", "f7.txt"), `changed ${token} ${counter++}\n`));
    for (const b of builders) await b.reset();
    const median = (xs: number[]): Sample => {
      const sorted = [...xs].sort((x, y) => x - y);
      return { median: sorted[Math.floor(sorted.length / 2)]!, min: sorted[0]!, n: sorted.length };
    };
    const results = new Map<string, { cold: Sample; cached: Sample; changed: Sample }>();
    for (const [name, t] of times) results.set(name, { cold: median(t.cold), cached: median(t.cached), changed: median(t.changed) });
    const ours = results.get("docker CLI → berthd") ?? results.get("berth → berthd")!;
    const anchor = results.get("dockerd BuildKit");
    const classic = results.get("dockerd classic");
    for (const [label, key] of [
      ["cold build (--no-cache)", "cold"],
      ["fully cached rebuild", "cached"],
      ["one copied file changed", "changed"],
    ] as const) {
      rows.push({ section: label });
      for (const [name, r] of results) {
        const row: Row = { label: name, value: sec(r[key].median) };
        if (anchor && r === ours) {
          row.ref = `${sec(anchor[key].median)} BuildKit`;
          row.ratio = r[key].median / anchor[key].median;
          row.target = 1;
        } else if (classic && r === ours) {
          row.ref = `${sec(classic[key].median)} classic`;
          row.ratio = r[key].median / classic[key].median;
        }
        rows.push(row);
      }
    }
  } finally {
    for (const undo of cleanups.reverse()) await undo().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }
  printTable(rows, notes);
}

await main();
