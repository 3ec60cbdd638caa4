// Room for the database on a full disk. SQLite needs a few free blocks to
// write anything, a delete included, so once a disk is full `rmi` and `rm`
// — the very commands that would free it — fail with "database or disk is
// full". A reserve file of zeros is kept beside the database; the first write
// that hits SQLITE_FULL outside a transaction deletes it and runs again. The
// reserve is made when berthd opens the database and, after it was spent, by
// the first write that finds twice its size free again (a statfs per write,
// only while the reserve is missing).
import { closeSync, fsyncSync, openSync, statfsSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import { isErrno } from "../errors.js";

const RESERVE_BYTES = 8 << 20;

export interface Reserve {
  /** Runs a write; on SQLITE_FULL outside a transaction, spends the reserve and runs it once more. */
  guard<T>(write: () => T): T;
}

export function createReserve(db: Database.Database, file: string): Reserve {
  let present = make(file);
  const roomAgain = (): boolean => {
    const st = statfsSync(dirname(file));
    return st.bavail * st.bsize >= 2 * RESERVE_BYTES;
  };

  return {
    guard<T>(write: () => T): T {
      let result: T;
      try {
        result = write();
      } catch (err) {
        // Inside a transaction a statement is not ours to repeat: the outermost transaction is retried whole.
        if (!isErrno(err, "SQLITE_FULL") || !present || db.inTransaction) throw err;
        release(file);
        present = false;
        result = write();
      }
      if (!present && !db.inTransaction && roomAgain()) present = make(file);
      return result;
    },
  };
}

/** Writes the reserve as real blocks (zeros, not a sparse file); false when there is no room for it. */
function make(file: string): boolean {
  if (statSync(file, { throwIfNoEntry: false })?.size === RESERVE_BYTES) return true;
  let fd: number;
  try {
    fd = openSync(file, "w", 0o600);
  } catch (err) {
    if (isErrno(err, "ENOSPC") || isErrno(err, "EDQUOT")) return false;
    throw err;
  }
  let made = false;
  try {
    const block = Buffer.alloc(1 << 20);
    for (let done = 0; done < RESERVE_BYTES; ) done += writeSync(fd, block, 0, Math.min(block.length, RESERVE_BYTES - done));
    fsyncSync(fd);
    made = true;
  } catch (err) {
    if (!isErrno(err, "ENOSPC") && !isErrno(err, "EDQUOT")) throw err;
  } finally {
    closeSync(fd);
  }
  if (!made) release(file);
  return made;
}

function release(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
}
