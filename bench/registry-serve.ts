// berth's registry server against distribution's (docker-registry) for what
// the issue asks: push and pull of a ~100 MB, 5-layer image over 127.0.0.1 by
// skopeo. Layers are gzip of random bytes made once, so skopeo copies them as
// they are and the time is the registries' (and the loopback's). Each run
// starts both servers over fresh roots; prints the medians of three runs.
// Run: node dist/bench/registry-serve.js
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveRegistry } from "../src/registry/server/serve.js";

const run = promisify(execFile);
const LAYERS = 5;
const LAYER_BYTES = 20 << 20;
const RUNS = 3;

const sha = (b: Buffer | string): string => createHash("sha256").update(b).digest("hex");

async function makeImage(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const layers = [];
  for (let i = 0; i < LAYERS; i++) {
    // Random bytes do not compress: the gzip stream is as big as the data, like a real layer of binaries.
    const gz = gzipSync(randomBytes(LAYER_BYTES), { level: 1 });
    await writeFile(join(dir, sha(gz)), gz);
    layers.push({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: `sha256:${sha(gz)}`, size: gz.length });
  }
  const config = JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: layers.map((l) => l.digest) } });
  await writeFile(join(dir, sha(config)), config);
  const manifest = {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: `sha256:${sha(config)}`, size: config.length },
    layers,
  };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest));
  await writeFile(join(dir, "version"), "Directory Transport Version: 1.1\n");
}

// Asynchronous: berth's server runs in this very process and must keep serving meanwhile.
async function skopeo(args: string[]): Promise<number> {
  const start = performance.now();
  await run("skopeo", ["copy", "-q", ...args]);
  return performance.now() - start;
}

async function startDistribution(root: string, port: number): Promise<{ host: string; stop(): Promise<void> }> {
  const cfg = join(root, "config.yml");
  await writeFile(cfg, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${join(root, "data")}\nhttp:\n  addr: 127.0.0.1:${port}\nlog:\n  level: error\n  accesslog:\n    disabled: true\n`);
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", cfg], { stdio: "ignore" });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await fetch(`http://${host}/v2/`).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
  return { host, stop: async () => void (child.kill("SIGTERM"), await new Promise((r) => child.once("exit", r))) };
}

async function startBerth(root: string): Promise<{ host: string; stop(): Promise<void> }> {
  const running = await serveRegistry({ addr: "127.0.0.1:0", root, log: () => undefined });
  return { host: running.url.replace("http://", ""), stop: () => running.close() };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), "berth-bench-rs-"));
  try {
    const image = join(work, "image");
    await makeImage(image);
    const results: Record<string, { push: number[]; pull: number[] }> = { berth: { push: [], pull: [] }, distribution: { push: [], pull: [] } };
    for (let run = 0; run < RUNS; run++) {
      for (const name of ["distribution", "berth"] as const) {
        const root = await mkdtemp(join(work, `${name}-`));
        const srv = name === "berth" ? await startBerth(root) : await startDistribution(root, 20000 + Math.floor(Math.random() * 20000));
        try {
          results[name]!.push.push(await skopeo(["--dest-tls-verify=false", `dir:${image}`, `docker://${srv.host}/bench/img:${run}`]));
          const out = join(work, `out-${name}-${run}`);
          results[name]!.pull.push(await skopeo(["--src-tls-verify=false", `docker://${srv.host}/bench/img:${run}`, `dir:${out}`]));
          await rm(out, { recursive: true, force: true });
        } finally {
          await srv.stop();
          await rm(root, { recursive: true, force: true });
        }
      }
    }
    const mb = (LAYERS * LAYER_BYTES) / (1 << 20);
    console.log(`skopeo copy of a ${LAYERS}-layer, ~${mb} MB image over 127.0.0.1 (median of ${RUNS})`);
    console.log("registry       push ms   pull ms");
    for (const [name, r] of Object.entries(results)) {
      console.log(`${name.padEnd(14)} ${median(r.push).toFixed(0).padStart(7)}   ${median(r.pull).toFixed(0).padStart(7)}`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
