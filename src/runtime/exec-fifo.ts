// Starting a created container the way `runc start` does, without spawning it.
//
// After `runc create`, the container's init (runc init, named
// "runc:[2:INIT]") waits to open <runc root>/<id>/exec.fifo for writing; once
// a reader opens it, init writes one byte, and its exec of the user's process
// closes the FIFO. `runc start` is only that read, then removing the FIFO,
// which is how runc itself tells "created" from "running" afterwards. Doing it
// here saves a Go process per start: ~5 ms of CPU on this kind of machine,
// about a twentieth of all the CPU a container start on a network costs.
//
// Whenever the situation is not exactly that one — no FIFO (another runtime,
// or already started), init not waiting on it, init gone while we wait — this
// answers "not handled", and the caller runs `runc start` for runc's own
// verdict and error wording.
import { constants, openSync, readFileSync, unlinkSync } from "node:fs";
import { Socket } from "node:net";
import path from "node:path";
import { isErrno } from "../errors.js";

const INIT_COMM = "runc:[2:INIT]";
const LIVENESS_POLL_MS = 100;

/** True when the container was started through its exec FIFO; false when `runc start` must decide. */
export async function startThroughExecFifo(runtimeRoot: string, id: string, initPid: number): Promise<boolean> {
  if (!waitingInit(initPid)) return false;
  const fifo = path.join(runtimeRoot, id, "exec.fifo");
  let fd: number;
  try {
    // Non-blocking: opening the read end never waits for a writer, and
    // libuv's epoll then waits for init's byte and its close at exec.
    fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return false;
    throw err;
  }
  const received = await readUntilClosed(new Socket({ fd, readable: true, writable: false }), initPid);
  // Nothing read: another start won the byte, or init died before writing it.
  if (received === 0) return false;
  try {
    unlinkSync(fifo);
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
  return true;
}

function waitingInit(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trimEnd() === INIT_COMM;
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ESRCH")) return false;
    throw err;
  }
}

function processGone(pid: number): boolean {
  try {
    // The state follows the command name, which may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] === "Z";
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ESRCH")) return true;
    throw err;
  }
}

/** Bytes read before the writer closed; 0 also when init died without writing. */
function readUntilClosed(fifo: Socket, initPid: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = 0;
    // A FIFO whose writer never opened reports nothing to epoll, so an init
    // that dies before opening it would leave us waiting for ever. (One that
    // has exec'd closed its end: "end" is on its way.) A process found gone
    // is given one more poll before the verdict: a container that ran `true`
    // may have written its byte and exited before this loop read the byte.
    let seenGone = false;
    const liveness = setInterval(() => {
      if (received > 0) return;
      if (seenGone) finish(() => resolve(0));
      else seenGone = processGone(initPid);
    }, LIVENESS_POLL_MS);
    const finish = (settle: () => void): void => {
      clearInterval(liveness);
      fifo.destroy();
      settle();
    };
    fifo.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    fifo.on("end", () => finish(() => resolve(received)));
    fifo.on("error", (err) => finish(() => reject(err)));
  });
}
