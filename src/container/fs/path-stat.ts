// dockerd's ContainerPathStat: what `docker cp` learns about a path before
// copying, with the mode in Go's os.FileMode encoding and the time in RFC 3339
// with nanoseconds, as the docker CLI decodes them.
import type { BigIntStats } from "node:fs";
import type { PathStat } from "./container-fs-service.js";

// os.FileMode's type bits.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_NAMED_PIPE = 2 ** 25;
const MODE_SOCKET = 2 ** 24;
const MODE_SETUID = 2 ** 23;
const MODE_SETGID = 2 ** 22;
const MODE_CHAR_DEVICE = 2 ** 21;
const MODE_STICKY = 2 ** 20;

export function goFileMode(st: BigIntStats): number {
  const bits = Number(st.mode);
  let mode = bits & 0o777;
  if (bits & 0o4000) mode += MODE_SETUID;
  if (bits & 0o2000) mode += MODE_SETGID;
  if (bits & 0o1000) mode += MODE_STICKY;
  if (st.isDirectory()) mode += MODE_DIR;
  else if (st.isSymbolicLink()) mode += MODE_SYMLINK;
  else if (st.isFIFO()) mode += MODE_NAMED_PIPE;
  else if (st.isSocket()) mode += MODE_SOCKET;
  else if (st.isCharacterDevice()) mode += MODE_DEVICE + MODE_CHAR_DEVICE;
  else if (st.isBlockDevice()) mode += MODE_DEVICE;
  return mode;
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped. */
export function rfc3339Nano(st: BigIntStats): string {
  const seconds = st.mtimeNs / 1_000_000_000n;
  const nanos = st.mtimeNs % 1_000_000_000n;
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  const fraction = nanos === 0n ? "" : `.${nanos.toString().padStart(9, "0").replace(/0+$/, "")}`;
  return `${base}${fraction}Z`;
}

export function pathStat(name: string, st: BigIntStats, linkTarget: string): PathStat {
  return { name, size: Number(st.size), mode: goFileMode(st), mtime: rfc3339Nano(st), linkTarget };
}

/** The header value: base64 of the JSON. */
export function encodePathStat(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString("base64");
}
