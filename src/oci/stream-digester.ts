// Hashing large streams off the event loop. SHA-256, at ~1.5 GB/s here, was
// the largest single cost of a pull on berthd's event loop: for a 100 MB
// image, ~110 ms of the ~420 ms it was busy (the blob as it downloads, and
// the layer as it inflates, for its DiffID). Node's hashes are synchronous,
// and SHA-256 cannot be split across threads, so a stream's hash lives in one
// shared worker thread instead:
//
//   - update() copies chunks into 1 MiB slabs (a memcpy, ~15 times cheaper
//     than hashing them) and hands each full slab to the worker, which hashes
//     it and hands it back for reuse: once warm, nothing is allocated;
//   - a stream that ends within its first slab never reaches the worker: it
//     is hashed in place at digest(), as before;
//   - the worker starts with the first big stream (~25 ms, while slabs wait
//     in its queue) and ends after 10 s with nothing to hash, so an idle
//     berthd keeps no thread and no slabs.
//
// The digest is only known once the worker has seen every slab, so digest()
// returns a promise; a stream given up on must be abandon()ed, or the worker
// would wait for its end.
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { Digest } from "./types.js";

export interface StreamDigester {
  update(chunk: Uint8Array): void;
  /** Bytes given to update() so far. */
  readonly size: number;
  /** The digest of everything given to update(); call once all is in. */
  digest(): Promise<Digest>;
  /** The stream will not be finished: forget it. */
  abandon(): void;
}

const SLAB = 1 << 20;
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
  streams = Math.max(0, streams - 1);
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

export function createStreamDigester(): StreamDigester {
  let slab = freeSlabs.pop() ?? new ArrayBuffer(SLAB);
  let view = new Uint8Array(slab);
  let used = 0;
  let size = 0;
  let id: number | undefined;
  let result: Promise<Digest> | undefined;
  let finished = false;

  const send = (end: boolean): void => {
    const w = theWorker();
    if (id === undefined) {
      id = nextId++;
      streams++;
    }
    w.postMessage({ id, slab, length: used, end }, [slab]);
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
      if (id === undefined) {
        // Small: hashed here, the slab kept for the next stream.
        result = Promise.resolve(`sha256:${createHash("sha256").update(view.subarray(0, used)).digest("hex")}`);
        if (freeSlabs.length < KEPT_SLABS) freeSlabs.push(slab);
        return result;
      }
      const streamId = id;
      result = new Promise<Digest>((resolve, reject) => waiting.set(streamId, { resolve, reject }));
      send(true);
      result.then(streamDone, streamDone);
      return result;
    },
    abandon() {
      if (finished) return;
      finished = true;
      if (id === undefined) return;
      worker?.postMessage({ id, abandon: true });
      streamDone();
    },
  };
}
