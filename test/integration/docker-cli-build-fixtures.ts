// Helpers for the docker CLI scenarios (builds, pulls and pushes): running the
// docker client with a fixed environment, a build context as a tar for stdin,
// and what a classic build's output says it made (so a test can remove
// exactly that from a shared dockerd).
import { spawn } from "node:child_process";
import { pack } from "./bad-input-fixtures.js";

/** A tar archive of regular files (parent directories are implied by the names). */
export function packTar(files: Record<string, string>): Promise<Buffer> {
  return pack(Object.entries(files).map(([name, content]) => ({ name, data: Buffer.from(content) })));
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A function that runs `docker ...args` with this environment added (and stdin from `input`), killed after 2 minutes. */
export function dockerRunner(bin: string, env: Record<string, string>): (args: string[], o?: { input?: string | Buffer }) => Promise<Run> {
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


/** The "Step n/m : instruction" lines of a classic build's output, parsed. */
export function stepLines(output: string): { n: number; of: number; text: string }[] {
  return [...output.matchAll(/^Step (\d+)\/(\d+) : (.*)$/gm)].map((m) => ({ n: Number(m[1]), of: Number(m[2]), text: m[3]! }));
}

/** Image IDs (short) a classic build printed: " ---> <id>" after each step, and "Successfully built <id>". */
export function printedImageIds(output: string): string[] {
  const ids = [...output.matchAll(/^ ---> ([0-9a-f]{12})$/gm), ...output.matchAll(/^Successfully built ([0-9a-f]{12})$/gm)];
  return ids.map((m) => m[1]!);
}

/** Container IDs (short) of the steps that ran in a container: " ---> Running in <id>". */
export function stepContainerIds(output: string): string[] {
  return [...output.matchAll(/^ ---> Running in ([0-9a-f]{12})$/gm)].map((m) => m[1]!);
}
