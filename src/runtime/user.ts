// resolveUser: Docker's --user ("", name, uid, name:group, uid:gid…) → uid, gid
// and supplementary gids, looked up in the image's own /etc/passwd and
// /etc/group (runc's libcontainer/user rules, which Docker uses).
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { SystemError, isErrno } from "../errors.js";
import { resolveInRoot } from "./resolve-in-root.js";

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2 ** 31 - 1;
// /etc/passwd and /etc/group of any sane image are far smaller; this bounds
// what a hostile image can make us read.
const MAX_FILE_SIZE = 16 * 1024 * 1024;

export async function resolveUser(rootfs: string, user: string): Promise<ResolvedUser> {
  const colon = user.indexOf(":");
  const userArg = colon === -1 ? user : user.slice(0, colon);
  const groupArg = colon === -1 ? "" : user.slice(colon + 1);
  const uidArg = parseId(userArg);
  const gidArg = parseId(groupArg);

  const result: ResolvedUser = { uid: 0, gid: 0, additionalGids: [] };
  const passwd = parsePasswd(await readRootFile(rootfs, "/etc/passwd"));
  const match = passwd.find((u) => (userArg === "" ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  let matchedName: string | undefined;
  if (match) {
    matchedName = match.name;
    result.uid = match.uid;
    result.gid = match.gid;
  } else if (userArg !== "") {
    if (uidArg === undefined) throw new SystemError(`unable to find user ${userArg}: no matching entries in passwd file`);
    result.uid = uidArg;
  }

  if (groupArg === "" && matchedName === undefined) return result;
  const groups = parseGroup(await readRootFile(rootfs, "/etc/group"));
  if (groupArg !== "") {
    const group = groups.find((g) => (gidArg !== undefined ? g.gid === gidArg : g.name === groupArg));
    if (group) result.gid = group.gid;
    else if (gidArg !== undefined) result.gid = gidArg;
    else throw new SystemError(`unable to find group ${groupArg}: no matching entries in group file`);
  } else {
    // Supplementary groups come only with the implicit form (no ":group").
    const name = matchedName!;
    result.additionalGids = groups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  }
  return result;
}

/** A numeric id in range, or undefined for a name (or a number too big to be an id). */
function parseId(s: string): number | undefined {
  if (!/^[0-9]+$/.test(s)) return undefined;
  const n = Number.parseInt(s, 10);
  return n > MAX_ID ? undefined : n;
}

/** A file inside the rootfs, or "" when it does not exist; never follows a link out of the rootfs. */
async function readRootFile(rootfs: string, p: string): Promise<string> {
  const host = await resolveInRoot(rootfs, p);
  if (host === undefined) return "";
  // Synchronous, as resolveInRoot: a few small local reads per start.
  let fd;
  try {
    // resolveInRoot already followed every link; O_NOFOLLOW refuses one swapped in since.
    fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return "";
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return "";
    const buf = Buffer.alloc(Math.min(st.size, MAX_FILE_SIZE));
    const bytesRead = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function lines(text: string): string[][] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).flatMap((f): PasswdEntry[] => {
    const uid = parseId(f[2] ?? "");
    const gid = parseId(f[3] ?? "");
    return uid === undefined || gid === undefined ? [] : [{ name: f[0]!, uid, gid }];
  });
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text).flatMap((f): GroupEntry[] => {
    const gid = parseId(f[2] ?? "");
    if (gid === undefined) return [];
    const members = (f[3] ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    return [{ name: f[0]!, gid, members }];
  });
}

/** --group-add: numbers as they are, names looked up in the image's /etc/group (Docker's wording when missing). */
export async function resolveGroups(rootfs: string, names: string[]): Promise<number[]> {
  if (names.length === 0) return [];
  const needsFile = names.some((g) => parseId(g) === undefined);
  const groups = needsFile ? parseGroup(await readRootFile(rootfs, "/etc/group")) : [];
  return names.map((g) => {
    const id = parseId(g);
    if (id !== undefined) return id;
    const found = groups.find((e) => e.name === g);
    if (!found) throw new SystemError(`Unable to find group ${g}: no matching entries in group file`);
    return found.gid;
  });
}
