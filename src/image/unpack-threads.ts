// Unpacking pulled layers on worker threads. A pull's layers stream in three
// at a time; inflating them, hashing them (the blob's digest and the DiffID)
// and applying them kept berthd's event loop busy ~380 ms of CPU for a 100 MB
// image, so one core did the work while the other mostly waited. Here each
// layer's compressed bytes go to a worker thread (unpack-worker.ts), one per
// core up to the downloads at once, which does all of that and writes the
// blob for the content store besides; the event loop is left with the
// download, a copy of each byte into the slabs it hands over, and the
// commits (~130 ms for the same image).
//
//   - Slabs of 1 MiB are transferred, not copied again; at most four are in
//     flight per layer, so a download outrunning its unpack is held back by
//     its socket, as when unpacking was on the event loop.
//   - A layer fails as it did in place: a broken entry or a bad gzip with the
//     typed error the worker met, and a stopped download with its own error,
//     but only once the worker has stopped writing into the directory, so the
//     caller may remove it at once.
//   - Workers start with the first pull (their modules load while the
//     manifest and config come in) and end after 30 s with nothing to do, so
//     an idle berthd holds no thread.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { WhiteoutMode } from "../archive/apply.js";
import { errorOfKind } from "../errors.js";
import type { Digest } from "../oci/types.js";
import type { BlobInfo } from "../content/store.js";
import type { FromWorker, Kept, ToWorker, WireError } from "./unpack-worker.js";

const SLAB = 1 << 20;
const IN_FLIGHT = 4;
const IDLE_MS = 30_000;
const MAX_THREADS = 3;

export interface Unpacked {
  /** The DiffID. */
  digest: Digest;
  size: number;
  /** With `keep`: the digest and size of the compressed bytes written there. */
  kept?: BlobInfo;
}

interface Stream {
  credit(): void;
  failing(): void;
  done(r: Unpacked): void;
  failed(err: Error): void;
}

interface Thread {
  worker: Worker;
  streams: Map<number, Stream>;
  idle?: NodeJS.Timeout;
}

const threads: Thread[] = [];
let nextId = 1;

/** Makes sure the pool's threads are starting, so that the first layer does not wait for one. */
export function warmUnpackThreads(): void {
  while (threads.length < poolSize()) threads.push(startThread());
}

/**
 * Inflates `compressed` (gzip or plain tar), hashes it and applies it to
 * `dir` on a worker thread; with `keep`, also writes the compressed bytes to
 * that file and hashes them. Resolves with the DiffID and the applied size;
 * rejects with the worker's error, or with the source's once the worker has
 * stopped. A worker's error carries `kept` when every byte was in and
 * written, so that a caller may blame a wrong blob rather than its contents.
 */
export async function unpackInThread(
  dir: string,
  compressed: AsyncIterable<Buffer>,
  opts: { whiteouts: WhiteoutMode; keep?: string },
): Promise<Unpacked> {
  const thread = leastBusy();
  const id = nextId++;
  let inFlight = 0;
  let settled = false;
  // The worker's unpack failed before the end: stop sending unless every byte is already out.
  let failing = false;
  let wake: (() => void) | undefined;
  const finished = new Promise<Unpacked>((done, failed) => {
    thread.streams.set(id, {
      credit: () => {
        inFlight--;
        wake?.();
      },
      failing: () => {
        failing = true;
        wake?.();
      },
      done,
      failed,
    });
  }).finally(() => {
    settled = true;
    thread.streams.delete(id);
    if (thread.streams.size === 0) {
      thread.worker.unref();
      idleLater(thread);
    }
    wake?.();
  });
  // Observed below; a failure while the download still runs must not count as unhandled.
  finished.catch(() => undefined);
  const post = (m: ToWorker, transfer?: ArrayBuffer[]): void => thread.worker.postMessage(m, transfer);
  post({ op: "start", id, dir, whiteouts: opts.whiteouts, ...(opts.keep !== undefined ? { keep: opts.keep } : {}) });

  let slab = Buffer.allocUnsafeSlow(SLAB);
  let used = 0;
  const send = async (): Promise<void> => {
    post({ op: "data", id, buf: slab.buffer, length: used }, [slab.buffer]);
    inFlight++;
    slab = Buffer.allocUnsafeSlow(SLAB);
    used = 0;
    while (inFlight >= IN_FLIGHT && !settled && !failing) await new Promise<void>((resolve) => (wake = resolve));
  };
  try {
    let gaveUp = false;
    for await (const chunk of compressed) {
      // The worker gave up (a bad entry): its error is the answer, the rest of the download is not needed.
      if (settled || failing) {
        gaveUp = true;
        break;
      }
      for (let off = 0; off < chunk.length; ) {
        const n = chunk.copy(slab, used, off);
        used += n;
        off += n;
        if (used === SLAB) await send();
      }
    }
    if (gaveUp) post({ op: "abort", id });
    else {
      if (used > 0) await send();
      post({ op: "end", id });
    }
  } catch (err) {
    if (!settled) post({ op: "abort", id });
    await finished.catch(() => undefined);
    throw err;
  }
  return finished;
}

function poolSize(): number {
  return Math.min(MAX_THREADS, availableParallelism());
}

function leastBusy(): Thread {
  warmUnpackThreads();
  const thread = threads.reduce((a, b) => (b.streams.size < a.streams.size ? b : a));
  clearTimeout(thread.idle);
  // A layer in progress keeps the process alive, as its socket would.
  thread.worker.ref();
  return thread;
}

function startThread(): Thread {
  const worker = new Worker(new URL("./unpack-worker.js", import.meta.url));
  const thread: Thread = { worker, streams: new Map() };
  worker.on("message", (m: FromWorker) => {
    const stream = thread.streams.get(m.id);
    if (!stream) return;
    if (m.op === "credit") stream.credit();
    else if (m.op === "failing") stream.failing();
    else if (m.op === "done") stream.done({ digest: m.digest as Digest, size: m.size, ...(m.kept ? { kept: blobInfo(m.kept) } : {}) });
    else stream.failed(Object.assign(fromWire(m.error), m.kept ? { kept: blobInfo(m.kept) } : {}));
  });
  const lost = (err: Error): void => {
    const i = threads.indexOf(thread);
    if (i >= 0) threads.splice(i, 1);
    for (const s of thread.streams.values()) s.failed(err);
  };
  worker.on("error", lost);
  worker.on("exit", () => lost(new Error("the unpack thread exited")));
  // Only a layer in progress keeps the process alive (see leastBusy), never an idle worker.
  worker.unref();
  idleLater(thread);
  return thread;
}

function idleLater(thread: Thread): void {
  clearTimeout(thread.idle);
  thread.idle = setTimeout(() => {
    if (thread.streams.size > 0) return;
    const i = threads.indexOf(thread);
    if (i >= 0) threads.splice(i, 1);
    void thread.worker.terminate();
  }, IDLE_MS).unref();
}

function blobInfo(k: Kept): BlobInfo {
  return { digest: k.digest as Digest, size: k.size };
}

function fromWire(e: WireError): Error {
  if (e.kind) return errorOfKind(e.kind, e.message);
  return Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
}
