// Running one short-lived process to completion in the foreground with
// `runc run`: a build's RUN step. Unlike containers, it needs no conmon — its
// life is the build's, and berthd waits for it — so runc's own stdio pipes are
// the process's stdout and stderr, and runc's exit code is the process's.
// On abort the process is killed and runc's state removed before returning.
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { isErrno } from "../errors.js";
import { runc, RuncError, runcErrorMessage, type RuncOptions } from "./runc.js";
import type { RuntimeSpec } from "./spec-types.js";

export interface RunOnceOptions {
  /** Where config.json and runc's log are written; the caller removes it. */
  bundle: string;
  spec: RuntimeSpec;
  /** Output as it comes, stdout and stderr alike (a build log does not keep them apart). */
  onOutput: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

/** Resolves to the exit code; throws RuncError when runc could not start the process (bad binary, bad spec). */
export async function runOnce(rc: RuncOptions, id: string, opts: RunOnceOptions): Promise<number> {
  await mkdir(opts.bundle, { recursive: true, mode: 0o700 });
  await mkdir(rc.runtimeRoot, { recursive: true, mode: 0o700 });
  await writeFile(path.join(opts.bundle, "config.json"), JSON.stringify(opts.spec));
  const log = path.join(opts.bundle, "runc.log");
  const child = spawn(
    rc.runtimePath,
    ["--root", rc.runtimeRoot, "--log", log, "--log-format", "json", "run", "--bundle", opts.bundle, id],
    { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin" } },
  );
  child.stdout.on("data", opts.onOutput);
  child.stderr.on("data", opts.onOutput);
  const kill = (): void => void runc(rc, ["kill", id, "KILL"]).catch(() => undefined);
  opts.signal?.addEventListener("abort", kill, { once: true });
  try {
    const code = await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (status, signal) => resolve(status ?? 128 + (signal ? 9 : 0)));
    });
    const failure = runcErrorMessage(await readLog(log));
    if (failure) throw new RuncError(failure, "run");
    return code;
  } finally {
    opts.signal?.removeEventListener("abort", kill);
    // runc run deletes its container when the process exits; after a kill or a failed start it may not have.
    await runc(rc, ["delete", "--force", id]).catch(() => undefined);
  }
}

async function readLog(file: string): Promise<string> {
  try {
    const text = await readFile(file, "utf8");
    // Only error-level lines are runc's own failures; warnings are not.
    return text
      .split("\n")
      .filter((l) => l.includes('"level":"error"') || l.includes('"level":"fatal"'))
      .join("\n");
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
    return "";
  }
}

/** Removes runc's state of leftover run-once processes (a crash mid-build) whose IDs start with `prefix`. */
export async function deleteLeftovers(rc: RuncOptions, prefix: string): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(rc.runtimeRoot)).filter((n) => n.startsWith(prefix));
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
    return [];
  }
  for (const name of names) {
    await runc(rc, ["kill", name, "KILL"]).catch(() => undefined);
    await runc(rc, ["delete", "--force", name]).catch(() => undefined);
    await rm(path.join(rc.runtimeRoot, name), { recursive: true, force: true });
  }
  return names;
}
