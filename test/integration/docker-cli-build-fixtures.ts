// Helpers for the docker CLI build scenarios: a build context as a tar for
// stdin, and what a classic build's output says it made (so the test can
// remove exactly that from a shared dockerd).
import tar from "tar-stream";

/** A tar archive of regular files (parent directories are implied by the names). */
export async function packTar(files: Record<string, string>): Promise<Buffer> {
  const p = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on("data", (c: unknown) => chunks.push(c as Buffer));
    p.on("end", resolve);
    p.on("error", reject);
  });
  const mtime = new Date("2024-01-01T00:00:00Z");
  for (const [name, content] of Object.entries(files)) p.entry({ name, mode: 0o644, mtime }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
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
