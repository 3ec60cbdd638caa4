// Hashing large streams off the event loop. SHA-256, at ~1.5 GB/s here, was
// the largest single cost of a pull on berthd's event loop: for a 100 MB
// image, ~110 ms of the ~420 ms it was busy (each blob as it downloads, and
// each layer as it inflates, for its DiffID). Node's hashes are synchronous,
// and SHA-256 cannot be split across threads, so the hash of a large stream
// lives in one shared worker thread instead. (A pull's layers have since
// moved whole onto unpack threads, image/unpack-threads.ts, which hash in
// place; builds, loads and pushes of large blobs still come here.)
//
//   - update() copies chunks into 1 MiB slabs (a memcpy, ~15 times cheaper
//     than hashing them) and hands each full slab to the worker, which hashes
//     it and hands it back for reuse: once warm, nothing is allocated;
//   - the worker starts with the first large stream (~25 ms, while slabs wait
//     in its queue) and ends after 10 s with nothing to hash, so an idle
//     berthd keeps no thread and no slabs (a worker holds ~10 MB);
//   - a stream expected to be small (under 8 MiB, or of unknown size) is
//     hashed in place, as before: the worker would cost more than it saves.
//
// The digest is only known once the worker has seen every slab, so digest()
// returns a promise; a stream given up on must be abandon()ed, or the worker
// would wait for its end.
import { Worker } from "node:worker_threads";
import { createDigester } from "./digest.js";
import type { Digest } from "./types.js";

export interface StreamDigester {
  update(chunk: Buffer): void;
  /** Bytes given to update() so far. */
  readonly size: number;
  /** The digest of everything given to update(); call once all is in. */
  digest(): Promise<Digest>;
  /** The stream will not be finished: forget it. */
  abandon(): void;
}

const SLAB = 1 << 20;
const OFFLOAD_FROM = 8 << 20;
const KEPT_SLABS = 8;
const IDLE_MS = 10_000;

// CommonJS, evaluated in the worker: one hash per stream id, in arrival order.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const hashes = new Map();
parentPort.on("message", (m) => {
  if (m.slab) {
    let hash = hashes.get(m.id);
    if (!hash) hashes.set(m.id, (hash = createHash("sha256")));
    hash.update(new Uint8Array(m.slab, 0, m.length));
    parentPort.postMessage({ slab: m.slab }, [m.slab]);
  }
  if (m.end) {
    const hash = hashes.get(m.id) ?? createHash("sha256");
    hashes.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: hash.digest("hex") });
  }
  if (m.abandon) hashes.delete(m.id);
});
`;

interface Waiting {
  resolve(digest: Digest): void;
  reject(err: Error): void;
}

let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 1;
/** Streams the worker holds a hash for. */
let streams = 0;
const waiting = new Map<number, Waiting>();
const freeSlabs: ArrayBuffer[] = [];

function theWorker(): Worker {
  clearTimeout(idleTimer);
  if (!worker) {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on("message", (m: { slab?: ArrayBuffer; id?: number; hex?: string }) => {
      if (m.slab && freeSlabs.length < KEPT_SLABS) freeSlabs.push(m.slab);
      if (m.id !== undefined && m.hex !== undefined) {
        waiting.get(m.id)?.resolve(`sha256:${m.hex}`);
        waiting.delete(m.id);
      }
    });
    // A worker ended on purpose (idle) is no longer `worker`: its exit fails nothing.
    const fail = (err: Error) => {
      if (worker !== w) return;
      worker = undefined;
      streams = 0;
      for (const waiter of waiting.values()) waiter.reject(err);
      waiting.clear();
    };
    w.on("error", fail);
    w.on("exit", () => fail(new Error("the digest worker exited")));
    worker = w;
  }
  worker.ref();
  return worker;
}

function streamDone(): void {
  streams--;
  if (streams > 0 || !worker) return;
  // Nothing outstanding: let berthd exit without it, and end it if no stream comes soon.
  worker.unref();
  const idle = worker;
  idleTimer = setTimeout(() => {
    if (worker !== idle || streams > 0) return;
    worker = undefined;
    freeSlabs.length = 0;
    void idle.terminate();
  }, IDLE_MS).unref();
}

/** sizeHint: the bytes the stream is expected to hold (a descriptor's size); decides where it is hashed. */
export function createStreamDigester(opts: { sizeHint?: number } = {}): StreamDigester {
  return (opts.sizeHint ?? 0) >= OFFLOAD_FROM ? offloaded() : inPlace();
}

function inPlace(): StreamDigester {
  const d = createDigester();
  let result: Promise<Digest> | undefined;
  return {
    update: (chunk) => d.update(chunk),
    get size() {
      return d.size;
    },
    digest: () => (result ??= Promise.resolve(d.digest())),
    abandon() {},
  };
}

function offloaded(): StreamDigester {
  let slab = freeSlabs.pop() ?? new ArrayBuffer(SLAB);
  let view = new Uint8Array(slab);
  let used = 0;
  let size = 0;
  const id = nextId++;
  let result: Promise<Digest> | undefined;
  let finished = false;
  // The worker that holds this stream's hash: should it die, a new one would
  // hash only the rest, so the stream fails instead (see fail in theWorker).
  const mine = theWorker();
  streams++;
  // Counted against its own worker only: a dead one's count was reset with it.
  const done = (): void => {
    if (worker === mine) streamDone();
  };

  const send = (end: boolean): void => {
    if (worker !== mine) throw new Error("the digest worker exited while hashing a stream");
    mine.postMessage({ id, slab, length: used, end }, [slab]);
    if (end) return;
    slab = freeSlabs.pop() ?? new ArrayBuffer(SLAB);
    view = new Uint8Array(slab);
    used = 0;
  };

  return {
    update(chunk) {
      if (finished) throw new Error("digester already finished");
      size += chunk.length;
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(SLAB - used, chunk.length - off);
        view.set(chunk.subarray(off, off + n), used);
        used += n;
        off += n;
        if (used === SLAB) send(false);
      }
    },
    get size() {
      return size;
    },
    digest() {
      if (result) return result;
      finished = true;
      result = new Promise<Digest>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        send(true);
      });
      result.then(done, () => {
        waiting.delete(id);
        done();
      });
      return result;
    },
    abandon() {
      if (finished) return;
      finished = true;
      if (worker === mine) mine.postMessage({ id, abandon: true });
      if (freeSlabs.length < KEPT_SLABS) freeSlabs.push(slab);
      done();
    },
  };
}
