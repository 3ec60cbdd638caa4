// How helper programs (mount, ip, unshare, iptables-restore…) are run:
//   - by absolute path, looked up in PATH once per name. Given a bare name,
//     the child that libuv forks tries execve on each PATH entry in turn while
//     berthd's event loop waits for it to exec; a long PATH (a shell's
//     ~/.cargo/bin, pyenv shims…) cost every spawn up to a millisecond;
//   - in the C locale, with nothing else of berthd's environment: their
//     messages are matched by text ("not mounted"), and loading the locale
//     berthd was started in costs each run ~0.25 ms.
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const found = new Map<string, string>();

/** The absolute path of `name` in PATH; `name` itself when it has a slash or is not found (spawn then reports ENOENT). */
export function programPath(name: string): string {
  if (name.includes("/")) return name;
  const known = found.get(name);
  if (known !== undefined) return known;
  for (const dir of (process.env.PATH ?? DEFAULT_PATH).split(":")) {
    if (!path.isAbsolute(dir)) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      if (!statSync(file).isFile()) continue;
    } catch {
      continue;
    }
    found.set(name, file);
    return file;
  }
  return name;
}

/** The environment a helper program runs in. */
export function helperEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? DEFAULT_PATH, LC_ALL: "C" };
}
