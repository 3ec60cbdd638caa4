// Docker's stdcopy framing, used for attach, exec and logs when there is no
// TTY: an 8-byte header [stream, 0, 0, 0, uint32 big-endian length] and the
// payload, so stdout and stderr can share one connection.

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export type StdStream = typeof STDIN | typeof STDOUT | typeof STDERR;

export function frame(stream: StdStream, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
