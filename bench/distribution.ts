// Distribution benchmark over 127.0.0.1: push and pull (download + unpack) of
// a ~100 MB, 5-layer image through the distribution registry (Debian's
// docker-registry), berth side by side with Docker, Podman and skopeo when
// installed, measured in the same run; and berth's own registry server
// serving the same pull next to the distribution registry.
// Usage (root): node dist/bench/distribution.js [--runs N] [--mb N]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDaemon } from "../test/integration/harness.js";
import { makeContext, removeContext } from "../test/integration/build-fixtures.js";
import { startDistribution, type RunningRegistry } from "../test/integration/distribution-fixtures.js";
import { benchDataDir, bundleCli, bundleFresh, elapsedMs, exec, settle, which } from "./proc.js";
import { printTable, type Row } from "./table.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg("--runs", 5);
const totalMb = arg("--mb", 100);
const repo = fileURLToPath(new URL("../../", import.meta.url));
const DOCKERD = "unix:///var/run/docker.sock";
const token = Math.random().toString(36).slice(2, 8);
const sec = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
/** Linux reports freed pages to the hypervisor 2 s after they are freed (mm/page_reporting.c). */
const REPORTED_MS = 2500;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function must(argv: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const r = await exec(argv, { env, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const notes = [`node ${process.version}; ${runs} runs per figure (median); ${totalMb} MB in 5 layers of half-random data; load average ${loadavg()[0]!.toFixed(2)}`];
  // bin/berth and bin/berthd fall back to the unbundled modules when a tsc run made the bundles stale:
  // the CLI then starts ~0.1 s slower at every command.
  if (!(await bundleCli())) notes.push("berth: unbundled dist/src (esbuild bundle failed)");
  const d = await startDaemon({ debug: false, baseDir: await benchDataDir() });
  const reg: RunningRegistry = await startDistribution();
  const scratch = await mkdtemp(join(tmpdir(), "bench-dist-"));
  const layerMb = Math.max(1, Math.round(totalMb / 5));
  // Half random, half zeros: compressible like real layers, so gzip's speed counts.
  const step = (i: number) => `RUN mkdir -p /data && head -c ${layerMb * 512 * 1024} /dev/urandom > /data/r${i} && head -c ${layerMb * 512 * 1024} /dev/zero > /data/z${i}`;
  const dockerfile = (marker: string) => ["FROM busybox", `RUN echo ${marker} > /marker`, ...[1, 2, 3, 4, 5].map(step), ""].join("\n");
  const ctx = await makeContext({ Dockerfile: dockerfile("main") });
  const berth = [`${repo}bin/berth`, "-H", d.host];
  const docker = which("docker");
  const dockerUp = docker && (await exec([docker, "-H", DOCKERD, "info"], { timeoutMs: 20_000 })).code === 0;
  const podman = which("podman");
  const skopeo = which("skopeo");
  const cleanups: Array<() => Promise<unknown>> = [() => d.destroy(), () => reg.stop(), () => rm(scratch, { recursive: true, force: true }), () => removeContext(ctx)];
  try {
    const local = `bench-dist-${token}:1`;
    await must([...berth, "build", "-q", "-t", local, ctx]);
    const archive = join(scratch, "image.tar");
    await must([...berth, "save", "-o", archive, local]);
    if (dockerUp) {
      await must([docker!, "-H", DOCKERD, "load", "-i", archive]);
      cleanups.push(() => exec([docker!, "-H", DOCKERD, "rmi", "-f", local]));
    }

    // Push: every run to a fresh registry, so nothing is skipped or mounted.
    // berth keeps the gzip blob it makes at an image's first push, where docker
    // compresses a loaded image at every push. So berth's first push is timed
    // on an image of its own per run (same sizes, its layers never pushed),
    // and its other pushes on `local`, pushed once untimed beforehand.
    const firsts: string[] = [];
    for (let r = 0; r < runs; r++) {
      const c = await makeContext({ Dockerfile: dockerfile(`first-${r}`) });
      cleanups.push(() => removeContext(c));
      firsts.push(`bench-dist-${token}:first-${r}`);
      await must([...berth, "build", "-q", "-t", firsts[r]!, c]);
    }
    const push: Record<string, number[]> = {};
    // Each timed run starts on a settled machine: the engines finish removals in the
    // background (containerd's garbage collection after an rmi), which would land on whoever runs next.
    // And it starts REPORTED_MS after the run before it: a VM whose balloon
    // reports free pages to the host (virtio free page reporting, as here) hands
    // memory freed 2 s earlier back to the host, and whoever touches it next
    // pays the host's page faults. With a fixed order of tools, the run two
    // places after podman's rmi (~150 MB of page cache freed) always landed in
    // that window: its writes into the page cache took ~0.2 s more, whichever
    // tool it was. Waiting out the delay puts every run in the same state.
    const time = async (name: string, table: Record<string, number[]>, fn: () => Promise<unknown>): Promise<void> => {
      await new Promise((r) => setTimeout(r, REPORTED_MS));
      await settle();
      (table[name] ??= []).push(await elapsedMs(fn));
    };
    /** berth pushes `image` to a fresh registry, timed under `figure` when one is named. */
    const pushTo = async (image: string, figure?: string): Promise<void> => {
      const fresh = await startDistribution();
      try {
        const target = `${fresh.host}/bench/app:1`;
        await must([...berth, "tag", image, target]);
        if (figure) await time(figure, push, () => must([...berth, "push", target]));
        else await must([...berth, "push", target]);
        await must([...berth, "rmi", target]);
      } finally {
        await fresh.stop();
      }
    };
    await pushTo(local);
    for (let r = 0; r < runs; r++) {
      // Who pushes first alternates, as the pulls below turn.
      for (const who of dockerUp ? (r % 2 ? ["docker", "berth"] : ["berth", "docker"]) : ["berth"]) {
        if (who === "berth") {
          await pushTo(firsts[r]!, "berth, first push (compressing)");
          await pushTo(local, "berth, gzip blobs kept from a first push");
          continue;
        }
        const fresh = await startDistribution();
        try {
          const target = `${fresh.host}/bench/app:1`;
          await must([docker!, "-H", DOCKERD, "tag", local, target]);
          await time("docker", push, () => must([docker!, "-H", DOCKERD, "push", target]));
          await must([docker!, "-H", DOCKERD, "rmi", target]);
        } finally {
          await fresh.stop();
        }
      }
    }
    // Pull (download + unpack) into a store without the image or any of its layers.
    const source = `${reg.host}/bench/app:1`;
    await must([...berth, "tag", local, source]);
    await must([...berth, "push", source]);
    if (dockerUp) {
      const id = (await must([docker!, "-H", DOCKERD, "image", "inspect", "--format", "{{.Id}}", local])).trim();
      await exec([docker!, "-H", DOCKERD, "rmi", "-f", id]);
    }
    const pull: Record<string, number[]> = {};
    const b2 = await startDaemon({ busybox: false, debug: false, baseDir: await benchDataDir() });
    cleanups.push(() => b2.destroy());
    const berth2 = [`${repo}bin/berth`, "-H", b2.host];
    // The same daemon driven by the docker CLI: berthd's own time, without the berth CLI's Node start-up.
    const dockerToBerthd = docker ? [docker, "-H", b2.host] : undefined;
    // Each tool's pull, then what undoes it. The order turns every round: the
    // first pull after the other tools ran was ~0.1-0.2 s slower whichever tool
    // took that slot (this VM's CPU runs slower after a spell of other work or
    // idleness), so a fixed order charged it to the same figure every time.
    const pulls: Array<{ name: string; pull: (r: number) => Promise<unknown>; undo: (r: number) => Promise<unknown> }> = [
      { name: "berth", pull: () => must([...berth2, "pull", "-q", source]), undo: () => must([...berth2, "rmi", source]) },
    ];
    if (dockerToBerthd) {
      pulls.push({ name: "docker CLI → berthd", pull: () => must([...dockerToBerthd, "pull", "-q", source]), undo: () => must([...berth2, "rmi", source]) });
    }
    if (dockerUp) {
      pulls.push({ name: "docker", pull: () => must([docker!, "-H", DOCKERD, "pull", "-q", source]), undo: () => must([docker!, "-H", DOCKERD, "rmi", "-f", source]) });
    }
    if (podman) {
      pulls.push({ name: "podman", pull: () => must([podman, "pull", "-q", "--tls-verify=false", source]), undo: () => exec([podman, "rmi", "-f", source]) });
    }
    if (skopeo) {
      const dir = (r: number): string => join(scratch, `skopeo-${r}`);
      pulls.push({
        name: "skopeo copy (no unpack)",
        pull: (r) => must([skopeo, "copy", "-q", "--src-tls-verify=false", `docker://${source}`, `dir:${dir(r)}`]),
        undo: (r) => rm(dir(r), { recursive: true, force: true }),
      });
    }
    for (const p of pulls) pull[p.name] = [];
    // Two untimed rounds first, as sample() warms up the engine bench's
    // figures: a fresh berthd's first pulls run before V8 has compiled its hot
    // paths (on the event loop and on each unpack thread), ~0.1-0.3 s slower.
    for (let w = 0; w < 2; w++) {
      for (const p of pulls) {
        await p.pull(runs + w);
        await p.undo(runs + w);
      }
    }
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < pulls.length; i++) {
        const p = pulls[(r + i) % pulls.length]!;
        await time(p.name, pull, () => p.pull(r));
        await p.undo(r);
      }
    }
    rows.push({ section: `push ~${totalMb} MB, 5 layers (to the distribution registry)` });
    const pushAnchor = push.docker ? median(push.docker) : undefined;
    for (const [name, xs] of Object.entries(push)) {
      const row: Row = { label: name, value: sec(median(xs)) };
      if (name.startsWith("berth") && pushAnchor) Object.assign(row, { ref: `${sec(pushAnchor)} docker`, ratio: median(xs) / pushAnchor, target: 0.5 });
      rows.push(row);
    }
    rows.push({ section: "pull, download + unpack (from the distribution registry)" });
    const pullAnchor = pull.docker ? median(pull.docker) : undefined;
    for (const [name, xs] of Object.entries(pull)) {
      const row: Row = { label: name, value: sec(median(xs)) };
      if ((name === "berth" || name === "docker CLI → berthd") && pullAnchor) {
        Object.assign(row, { ref: `${sec(pullAnchor)} docker`, ratio: median(xs) / pullAnchor, target: 0.5 });
      }
      rows.push(row);
    }
    if (!dockerUp) notes.push("dockerd not reachable: no docker anchor");
    if (!bundleFresh()) notes.push("dist was rebuilt during the run: some berth commands may have run unbundled");
  } finally {
    for (const undo of cleanups.reverse()) await undo().catch((err: Error) => console.error(`cleanup: ${err.message}`));
  }
  printTable(rows, notes);
}

await main();
