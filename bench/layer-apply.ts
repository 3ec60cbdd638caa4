// How applyLayer compares with GNU tar: a ~100 MB layer of ~5,000 files,
// extracted three times by each into fresh directories; prints the medians.
// Run as root (ownership is restored): node dist/bench/layer-apply.js
import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyLayer } from "../src/archive/apply.js";

const files = 5000;
const runs = 3;

async function buildTree(dir: string): Promise<number> {
  // Sizes skewed like a real image: most files small, a few large.
  let total = 0;
  let seed = 42;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const chunk = Buffer.alloc(4 << 20);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `d${i % 50}`, `e${i % 7}`);
    await mkdir(sub, { recursive: true });
    const size = i % 500 === 0 ? 4 << 20 : Math.floor(random() * 24_000);
    await writeFile(join(sub, `f${i}.bin`), chunk.subarray(0, size));
    total += size;
  }
  return total;
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// BENCH_DIR=/dev/shm measures CPU cost alone; the default includes the disk.
const work = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), "berth-bench-"));
try {
  const bytes = await buildTree(join(work, "src"));
  const layer = join(work, "layer.tar");
  execFileSync("tar", ["-C", join(work, "src"), "-cf", layer, "."]);
  const ours: number[] = [];
  const gnu: number[] = [];
  for (let r = 0; r < runs; r++) {
    // Flush earlier runs' dirty pages so that writeback does not land in the next timing.
    execFileSync("sync");
    const a = join(work, `ours${r}`);
    await mkdir(a);
    // 1 MiB reads, as the content store opens blobs: Node's 64 KiB default costs
    // about as much in stream overhead as GNU tar spends on the whole job.
    const input = () => createReadStream(layer, { highWaterMark: 1 << 20 });
    ours.push(await time(async () => void (await applyLayer(a, input(), { whiteouts: "overlay" }))));
    await rm(a, { recursive: true });
    execFileSync("sync");
    const b = join(work, `gnu${r}`);
    await mkdir(b);
    gnu.push(await time(async () => void execFileSync("tar", ["-C", b, "-xpf", layer])));
    await rm(b, { recursive: true });
  }
  const [o, g] = [median(ours), median(gnu)];
  console.log(`layer: ${files} files, ${(bytes / 1e6).toFixed(1)} MB`);
  console.log(`applyLayer: ${o.toFixed(0)} ms (runs: ${ours.map((x) => x.toFixed(0)).join(", ")})`);
  console.log(`GNU tar -x: ${g.toFixed(0)} ms (runs: ${gnu.map((x) => x.toFixed(0)).join(", ")})`);
  console.log(`ratio: ${(o / g).toFixed(2)}x`);
} finally {
  await rm(work, { recursive: true, force: true });
}
