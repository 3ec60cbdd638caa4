// A client of conmon's attach socket (`<dir>/attach`, SOCK_SEQPACKET). Every
// message conmon sends is one read of the container's output, prefixed with
// one byte naming the pipe (2 = stdout, 3 = stderr; with a TTY everything is
// stdout). What we send is the container's stdin; shutting down our sending
// side makes conmon close the container's stdin, unless conmon was started
// with --leave-stdin-open. conmon closes the socket after the process exited
// and its output was drained.
import { closeSync, constants, openSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import type { SeqpacketSocket } from "node-unix-socket";
import type { AttachStreams } from "./runtime.js";

const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
// conmon reads each stdin message into a 32 KiB buffer and would truncate a
// longer one; its own reads of output are 8 KiB, so we stay at that.
const MAX_STDIN_MESSAGE = 8192;

/** Connects to `<dir>/attach`; rejects when conmon is not listening (it has exited). */
export async function connectAttach(dir: string): Promise<AttachStreams> {
  // Loaded on first attach: the addon costs an idle berthd ~2.5 MB resident.
  const { SeqpacketSocket } = await import("node-unix-socket");
  // sun_path holds 108 bytes and a bundle path can be longer: connect through
  // /proc/self/fd/<dirfd>, which is always short.
  const dirFd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  const socket = new SeqpacketSocket();
  return new Promise<AttachStreams>((resolve, reject) => {
    let connected = false;
    const closeDir = (): void => {
      if (connected) return;
      connected = true;
      closeSync(dirFd);
    };
    socket.once("error", (err: Error) => {
      closeDir();
      reject(withErrno(err));
    });
    try {
      socket.connect(`/proc/self/fd/${dirFd}/attach`, () => {
        closeDir();
        resolve(wrapSocket(socket));
      });
    } catch (err) {
      closeDir();
      socket.destroy();
      reject(withErrno(err));
    }
  });
}

// node-unix-socket reports errors by their strerror text with code "Unknown";
// give the ones that mean "conmon is gone" their errno names back.
const ERRNO_BY_TEXT: Record<string, string> = {
  "No such file or directory": "ENOENT",
  "Connection refused": "ECONNREFUSED",
};

function withErrno(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const code = ERRNO_BY_TEXT[err.message];
  return code ? Object.assign(err, { code }) : err;
}

function wrapSocket(socket: SeqpacketSocket): AttachStreams {
  // conmon cannot be told to pause, so output is buffered here rather than lost.
  const stdout = new Readable({ read() {} });
  const stderr = new Readable({ read() {} });
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    stdout.push(null);
    stderr.push(null);
    socket.destroy();
  };
  socket.on("data", (msg: Buffer) => {
    if (msg.length === 0) return;
    const payload = msg.subarray(1);
    if (msg[0] === STDOUT_PIPE) stdout.push(payload);
    else if (msg[0] === STDERR_PIPE) stderr.push(payload);
  });
  socket.on("end", finish);
  // After connecting, an error means conmon went away: the streams simply end.
  socket.on("error", finish);

  const stdin = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (ended) {
        callback();
        return;
      }
      let off = 0;
      const next = (): void => {
        if (off >= chunk.length || ended) {
          callback();
          return;
        }
        const len = Math.min(MAX_STDIN_MESSAGE, chunk.length - off);
        const start = off;
        off += len;
        socket.write(chunk, start, len, next);
      };
      next();
    },
    final(callback) {
      if (ended) {
        callback();
        return;
      }
      socket.end(() => callback());
    },
  });
  return { stdin, stdout, stderr, close: finish };
}
