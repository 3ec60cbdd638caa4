// The client side of a hijacked attach or exec: demuxed output to read, stdin
// to write, and a half-close that tells the process its stdin ended while its
// output keeps coming.
import type { Socket } from "node:net";
import { demuxStdcopy, rawStream, type StreamChunk } from "./stdcopy.js";
import type { Hijacked } from "./transport.js";

export interface AttachedStream {
  readonly socket: Socket;
  /** stdout/stderr chunks; ends when the daemon closes the stream. */
  readonly output: AsyncIterable<StreamChunk>;
  write(data: Buffer | string): boolean;
  /** Half-close: ends stdin, keeps reading output. */
  closeWrite(): void;
  /** Tears the connection down. */
  close(): void;
}

export function attachedStream(h: Hijacked, tty: boolean): AttachedStream {
  const multiplexed =
    h.contentType === "application/vnd.docker.multiplexed-stream" ||
    (h.contentType !== "application/vnd.docker.raw-stream" && !tty);
  return {
    socket: h.socket,
    output: multiplexed ? demuxStdcopy(h.output) : rawStream(h.output),
    write: (data) => h.socket.write(data),
    closeWrite: () => {
      h.socket.end();
    },
    close: () => {
      h.socket.destroy();
    },
  };
}
