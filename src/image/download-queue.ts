// How a pull fetches layers: a few at a time, each retried from the start
// when its connection drops (not when its bytes are wrong).
import { InvalidArgumentError } from "../errors.js";
import type { Report } from "./progress.js";

const ATTEMPTS = 3;

/** Starts each job when fewer than `width` run; undefined jobs are skipped. */
export function limited<T>(jobs: Array<(() => Promise<T>) | undefined>, width: number): Array<Promise<T> | undefined> {
  let running = 0;
  const queue: Array<() => void> = [];
  const next = (): void => {
    if (running >= width) return;
    const start = queue.shift();
    if (start) start();
  };
  return jobs.map((job) => {
    if (!job) return undefined;
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        running++;
        job()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
  });
}

/** Runs `attempt` up to three times, telling layer `id`'s progress line when it waits to try again. */
export async function retried<T>(o: { report: Report; id: string; signal?: AbortSignal }, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      // A wrong digest or size will not get better by asking again; a dropped connection may.
      if (n >= ATTEMPTS || o.signal?.aborted || err instanceof InvalidArgumentError) throw err;
      o.report({ status: `Retrying in ${n} second${n > 1 ? "s" : ""}`, progressDetail: {}, id: o.id });
      await new Promise((r) => setTimeout(r, n * 1000));
    }
  }
}
