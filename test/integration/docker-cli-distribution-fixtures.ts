// Helpers for docker-cli-distribution.test.ts: running the docker client with
// a fixed environment, and reading what `docker push` printed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A function that runs `docker ...args` with this environment added (and stdin from `input`), killed after 2 minutes. */
export function dockerRunner(bin: string, env: Record<string, string>): (args: string[], o?: { input?: string }) => Promise<Run> {
  return (args, o = {}) =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c) => (stdout += c));
      child.stderr.on("data", (c) => (stderr += c));
      const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
      child.stdin.end(o.input);
    });
}

/** The manifest digest from push's closing `<tag>: digest: sha256:… size: N` line. */
export function pushedDigest(stdout: string, tag: string): string {
  const m = new RegExp(`^${tag}: digest: (sha256:[0-9a-f]{64}) size: \\d+$`, "m").exec(stdout);
  assert.ok(m, `no digest line for ${tag} in:\n${stdout}`);
  return m[1]!;
}
