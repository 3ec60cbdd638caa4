// Docker's per-layer progress messages for pull and push: the bar is drawn
// here, as dockerd draws it (jsonmessage.JSONProgress), so any client that
// prints `progress` shows the same thing; updates are throttled so a fast
// download does not flood the stream.
import type { JSONMessage } from "../api/types/index.js";
import { PassThrough, type Readable } from "node:stream";
import { humanSize } from "../oci/units.js";

/** "[=========>          ]  1.2MB/5.3MB" */
export function progressBar(current: number, total: number): string {
  if (total <= 0) return `${humanSize(current).padStart(8)}`;
  const half = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${"=".repeat(half)}>${" ".repeat(Math.max(0, 50 - half))}] `;
  return `${bar}${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

export type Report = (m: JSONMessage) => void;

/** Reports `status` for layer `id` with a bar, at most every 100 ms and always at the end. */
export function progressReporter(report: Report, id: string, status: string, total: number): (current: number, done?: boolean) => void {
  let last = 0;
  return (current, done = false) => {
    const now = Date.now();
    if (!done && now - last < 100) return;
    last = now;
    report({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  };
}

/** Docker shows a layer by the first 12 hex digits of its digest. */
export function layerId(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** `source` passed on unchanged, with `tick` told the bytes seen so far. */
export function counted(source: Readable, tick: (n: number) => void): Readable {
  let n = 0;
  const out = new PassThrough();
  source.on("data", (c: Buffer) => {
    n += c.length;
    tick(n);
  });
  source.on("error", (err) => out.destroy(err));
  return source.pipe(out);
}
