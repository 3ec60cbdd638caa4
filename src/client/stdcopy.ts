// Docker's stdcopy framing: when a container has no TTY, stdout and stderr
// share one connection, each frame led by an 8-byte header
// [stream, 0, 0, 0, size (uint32 big-endian)]. Stream 3 carries an error the
// daemon hit while streaming. A frame may be split across chunks, or many
// frames may arrive in one chunk, so bytes are buffered until a frame is whole.
import { SystemError } from "../errors.js";

export type StreamName = "stdin" | "stdout" | "stderr";

export interface StreamChunk {
  stream: StreamName;
  data: Buffer;
}

const HEADER = 8;
const NAMES: Record<number, StreamName> = { 0: "stdin", 1: "stdout", 2: "stderr" };
const SYSTEM_ERROR = 3;

export async function* demuxStdcopy(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<StreamChunk> {
  let pending = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, Buffer.from(chunk)]);
    while (pending.length >= HEADER) {
      const size = pending.readUInt32BE(4);
      if (pending.length < HEADER + size) break;
      const kind = pending[0];
      const data = pending.subarray(HEADER, HEADER + size);
      pending = pending.subarray(HEADER + size);
      if (kind === SYSTEM_ERROR) throw new SystemError(`error from daemon in stream: ${data.toString()}`);
      const stream = NAMES[kind];
      if (!stream) throw new SystemError(`Unrecognized input header: ${kind}`);
      if (size > 0) yield { stream, data };
    }
  }
  if (pending.length > 0) throw new SystemError("unexpected EOF in multiplexed stream");
}

/** A TTY's output is one raw stream; give it the same shape as demuxed output. */
export async function* rawStream(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<StreamChunk> {
  for await (const chunk of source) yield { stream: "stdout", data: Buffer.from(chunk) };
}

/** Frames data the way the daemon does; used by tests and in-process servers. */
export function frameStdcopy(stream: StreamName | "system", data: Buffer | string): Buffer {
  const body = Buffer.from(data);
  const header = Buffer.alloc(HEADER);
  header[0] = stream === "system" ? SYSTEM_ERROR : { stdin: 0, stdout: 1, stderr: 2 }[stream];
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
