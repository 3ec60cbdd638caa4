// The client's version: package.json's version and the checkout's commit,
// read from files so that `berth --version` stays instant.
import { readFileSync } from "node:fs";
import { isErrno } from "../errors.js";

// dist/src/cli/ → the checkout root.
const ROOT = new URL("../../../", import.meta.url);

export function clientVersion(): { version: string; commit: string } {
  const pkg = JSON.parse(readFileSync(new URL("package.json", ROOT), "utf8")) as { version: string };
  return { version: pkg.version, commit: gitCommit() };
}

export function versionLine(): string {
  const { version, commit } = clientVersion();
  return `berth version ${version}, build ${commit}`;
}

function gitCommit(): string {
  try {
    const head = readFileSync(new URL(".git/HEAD", ROOT), "utf8").trim();
    if (!head.startsWith("ref: ")) return head.slice(0, 7);
    const ref = head.slice(5);
    try {
      return readFileSync(new URL(`.git/${ref}`, ROOT), "utf8").trim().slice(0, 7);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
      const packed = readFileSync(new URL(".git/packed-refs", ROOT), "utf8");
      return packed.split("\n").find((l) => l.endsWith(` ${ref}`))?.slice(0, 7) ?? "unknown";
    }
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return "unknown";
    throw err;
  }
}
