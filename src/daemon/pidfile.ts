// One berthd per exec root: two daemons on the same state would corrupt it.
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { ConflictError, isErrno } from "../errors.js";

export function acquirePidfile(path: string): () => void {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (pid > 0 && pid !== process.pid && alive(pid)) {
      throw new ConflictError(`pid file found, ensure berthd is not running or delete ${path}`);
    }
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    try {
      unlinkSync(path);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, "ESRCH");
  }
}
