// Hijacked connections for attach and exec start, as dockerd does them.
//
// With `Connection: Upgrade` + `Upgrade: tcp` the client gets
// "101 UPGRADED" and the socket becomes a bidirectional byte stream; without,
// a 200 whose body is the output stream (read until the connection closes)
// and whose request body, if any, is stdin. Output is raw with a TTY and
// stdcopy-framed without. Half-close is honoured: when the client ends its
// side, the container's stdin ends but output keeps flowing; when the output
// is done we end the connection.
import type { Readable, Writable as WritableType } from "node:stream";
import { PassThrough, Writable } from "node:stream";
import type { StdioStreams } from "../container/container-service.js";
import type { RequestContext } from "./router.js";
import { messageOf } from "./errors.js";
import { frame, STDERR, STDOUT, type StdStream } from "./stdcopy.js";

export interface Hijacked {
  /** What the container service reads from and writes to. */
  io: StdioStreams;
  /**
   * Fires when the client goes away. A client that closes its socket looks
   * like one that only ended its stdin until a write to it fails, so the
   * departure is seen at the next output (as with dockerd).
   */
  signal: AbortSignal;
  /** Ends the connection once the output is complete. */
  finish(): void;
  /** Reports a failure that happened after the status went out, in the stream itself, and ends it. */
  fail(err: unknown): void;
}

export interface HijackOptions {
  contentType: string;
  tty: boolean;
  /** Whether the client's bytes are stdin; if not they are read and dropped. */
  stdin: boolean;
}

function takeConnection(ctx: RequestContext, contentType: string): { input: Readable; output: WritableType } {
  const { res } = ctx;
  if (ctx.upgrade) {
    const { socket, head } = ctx.upgrade;
    res.statusCode = 101;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.getHeaders())) if (value !== undefined) headers[name] = String(value);
    Object.assign(headers, { "Content-Type": contentType, Connection: "Upgrade", Upgrade: "tcp" });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(`HTTP/1.1 101 UPGRADED\r\n${lines.join("")}\r\n`);
    // Bytes the client sent right after its headers (early stdin) were read with them.
    if (head.length > 0) socket.unshift(head);
    return { input: socket, output: socket };
  }
  // No chunked encoding: like dockerd, the body is the raw stream and ends when the connection does.
  res.useChunkedEncodingByDefault = false;
  res.writeHead(200, { "Content-Type": contentType });
  res.flushHeaders();
  return { input: ctx.body, output: res };
}

/**
 * A writable for the container service that frames (or not) into the
 * connection. Writes after the client left are dropped rather than failed: the
 * departure is reported through the abort signal, and the container's output
 * must keep draining so the container never blocks on a full pipe.
 */
function streamWriter(output: WritableType, stream: StdStream, tty: boolean): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (output.destroyed || output.writableEnded) return callback();
      output.write(tty ? chunk : frame(stream, chunk), () => callback());
    },
  });
}

export function hijack(ctx: RequestContext, opts: HijackOptions): Hijacked {
  const { input, output } = takeConnection(ctx, opts.contentType);
  const gone = new AbortController();
  output.once("close", () => gone.abort());

  let stdin: PassThrough | undefined;
  if (opts.stdin) {
    stdin = new PassThrough();
    input.pipe(stdin);
    // A client that vanishes without a clean end has still stopped sending.
    output.once("close", () => {
      if (stdin && !stdin.writableEnded) stdin.end();
    });
  } else {
    input.resume();
  }

  const finish = (): void => {
    if (!output.writableEnded) output.end();
  };
  return {
    io: { stdin, stdout: streamWriter(output, STDOUT, opts.tty), stderr: streamWriter(output, STDERR, opts.tty) },
    signal: gone.signal,
    finish,
    fail(err) {
      if (!output.destroyed && !output.writableEnded) {
        const text = Buffer.from(`${messageOf(err)}\r\n`);
        output.write(opts.tty ? text : frame(STDERR, text));
      }
      finish();
    },
  };
}
