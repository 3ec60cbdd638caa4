// The thread side of unpack-threads.ts: each stream posted here is a layer
// blob, inflated, hashed into its DiffID and applied to its directory on this
// thread, so the event loop only receives the bytes and passes them on. With
// `keep`, the compressed bytes are also written to that file (the content
// store's temp file) and hashed, as each slab arrives, whatever the unpack's
// progress: a blob with a wrong digest is then told apart from a broken tar.
//
// Messages in: start {id, dir, whiteouts, keep?}, data {id, buf, length} (the
// ArrayBuffer is transferred), end {id}, abort {id}. Out: credit {id} when a
// slab is taken (the sender keeps a few in flight), then exactly one of done
// {id, digest, size, kept?} or failed {id, error, kept?} once the layer's work
// has stopped: after that nothing of this stream touches its directory or
// its file. `kept` (digest and size of the compressed bytes) comes once every
// byte was in and written.
//
// An unpack that fails before the stream's end says `failing` and waits for
// the sender's answer: `end` when it had already sent every byte (the
// verdict on the blob may still explain the failure: a gzip trailer that does
// not match is what a wrong blob looks like), `abort` otherwise.
import { createHash, type Hash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { Readable } from "node:stream";
import { parentPort } from "node:worker_threads";
import { applyLayer, type WhiteoutMode } from "../archive/apply.js";
import { BerthError } from "../errors.js";
import { decompress } from "./decompress.js";
import { consumeHashed } from "./unpack.js";

export type ToWorker =
  | { op: "start"; id: number; dir: string; whiteouts: WhiteoutMode; keep?: string }
  | { op: "data"; id: number; buf: ArrayBuffer; length: number }
  | { op: "end"; id: number }
  | { op: "abort"; id: number };

/** An error as it crosses threads: a typed error keeps its kind, a system error its code. */
export interface WireError {
  message: string;
  kind?: BerthError["kind"];
  code?: string;
}

export interface Kept {
  digest: string;
  size: number;
}

export type FromWorker =
  | { op: "credit"; id: number }
  | { op: "failing"; id: number }
  | { op: "done"; id: number; digest: string; size: number; kept?: Kept }
  | { op: "failed"; id: number; error: WireError; kept?: Kept };

/** The slabs of one stream, waiting for its reader. */
interface Inbox {
  slabs: Buffer[];
  ended: boolean;
  aborted: boolean;
  wake?: () => void;
  /** The unpack failed: slabs are only kept, and credited as they come. */
  draining?: boolean;
  /** The file the compressed bytes go to, and their hash so far. */
  keep?: { fd: number; hash: Hash; size: number; failed?: unknown };
}

const port = parentPort;
if (!port) throw new Error("unpack-worker.js runs as a worker thread");
const post = (m: FromWorker): void => port.postMessage(m);
const inboxes = new Map<number, Inbox>();

port.on("message", (m: ToWorker) => {
  if (m.op === "start") {
    const inbox: Inbox = { slabs: [], ended: false, aborted: false };
    inboxes.set(m.id, inbox);
    void unpack(m.id, m.dir, m.whiteouts, m.keep, inbox);
    return;
  }
  const inbox = inboxes.get(m.id);
  if (!inbox) return;
  if (m.op === "data") {
    const slab = Buffer.from(m.buf, 0, m.length);
    keep(inbox, slab);
    if (inbox.draining) post({ op: "credit", id: m.id });
    else inbox.slabs.push(slab);
  } else if (m.op === "end") inbox.ended = true;
  else inbox.aborted = true;
  inbox.wake?.();
});

async function unpack(id: number, dir: string, whiteouts: WhiteoutMode, keepPath: string | undefined, inbox: Inbox): Promise<void> {
  let kept: Kept | undefined;
  try {
    if (keepPath !== undefined) inbox.keep = { fd: openSync(keepPath, "w"), hash: createHash("sha256"), size: 0 };
    const { stream } = await decompress(Readable.from(received(id, inbox)));
    // No size hint: the hash is made right here, this thread is already off the event loop.
    const { result, digest } = await consumeHashed(stream, (s) => applyLayer(dir, s, { whiteouts, inPlace: true }));
    if (inbox.keep?.failed !== undefined) throw inbox.keep.failed;
    kept = keptOf(inbox);
    post({ op: "done", id, digest, size: result.size, ...(kept ? { kept } : {}) });
  } catch (err) {
    if (!inbox.ended && !inbox.aborted) await drain(id, inbox);
    // Every byte came, yet the unpack failed: what they hash to may explain why (a wrong blob).
    kept ??= inbox.ended && !inbox.aborted ? keptOf(inbox) : undefined;
    post({ op: "failed", id, error: toWire(err), ...(kept ? { kept } : {}) });
  } finally {
    if (inbox.keep) closeSync(inbox.keep.fd);
    inboxes.delete(id);
  }
}

/** Asks the sender whether the stream is complete, keeping what still comes, until it says (end or abort). */
async function drain(id: number, inbox: Inbox): Promise<void> {
  inbox.draining = true;
  for (const _ of inbox.slabs.splice(0)) post({ op: "credit", id });
  post({ op: "failing", id });
  while (!inbox.ended && !inbox.aborted) {
    await new Promise<void>((resolve) => (inbox.wake = resolve));
    inbox.wake = undefined;
  }
}

/** Writes and hashes a slab of the blob as it arrives; a failed write is reported when the blob is finished. */
function keep(inbox: Inbox, slab: Buffer): void {
  const k = inbox.keep;
  if (!k || k.failed !== undefined) return;
  try {
    for (let off = 0; off < slab.length; ) off += writeSync(k.fd, slab, off);
    k.hash.update(slab);
    k.size += slab.length;
  } catch (err) {
    k.failed = err;
  }
}

/** Digest and size of the blob written so far; undefined when there is none or its write failed. */
function keptOf(inbox: Inbox): Kept | undefined {
  const k = inbox.keep;
  return k && k.failed === undefined ? { digest: `sha256:${k.hash.digest("hex")}`, size: k.size } : undefined;
}

async function* received(id: number, inbox: Inbox): AsyncGenerator<Buffer> {
  for (;;) {
    if (inbox.aborted) throw new Error("the layer's download stopped");
    const slab = inbox.slabs.shift();
    if (slab) {
      post({ op: "credit", id });
      yield slab;
      continue;
    }
    if (inbox.ended) return;
    await new Promise<void>((resolve) => (inbox.wake = resolve));
    inbox.wake = undefined;
  }
}

function toWire(err: unknown): WireError {
  const e = err as NodeJS.ErrnoException;
  const wire: WireError = { message: e?.message ?? String(err) };
  if (err instanceof BerthError) wire.kind = err.kind;
  if (typeof e?.code === "string") wire.code = e.code;
  return wire;
}
