// Device nodes and fifos, which Node cannot create: coreutils' mknod does it.
// Real devices are rare in layers, but overlay whiteouts (char 0/0) are not —
// `rm -rf /var/lib/apt/lists/*` leaves hundreds — so whiteouts are hard links
// to one template node per apply, the way overlayfs itself shares whiteouts
// (Linux ≥ 5.8): one process per layer instead of one per whiteout.
import { randomBytes } from "node:crypto";
import { linkSync, unlinkSync } from "node:fs";
import { isErrno } from "../errors.js";
import { runCommand } from "./run-command.js";

export async function mknod(
  path: string,
  node: { type: "char" | "block" | "fifo"; major?: number; minor?: number },
): Promise<void> {
  const args = node.type === "fifo" ? [path, "p"] : [path, node.type === "char" ? "c" : "b", String(node.major ?? 0), String(node.minor ?? 0)];
  await runCommand("mknod", ["-m", "0600", ...args]);
}

export interface Whiteouts {
  /** Makes `path` (which must not exist) an overlay whiteout. */
  create(path: string): Promise<void>;
  /** Removes the template; idempotent. */
  close(): void;
}

/** Whiteouts for one apply into `root`; the template lives in root (same filesystem) until close. */
export function createWhiteouts(root: string): Whiteouts {
  let template: string | undefined;

  async function newTemplate(): Promise<string> {
    const path = `${root}/.berth-whiteout-${randomBytes(8).toString("hex")}`;
    await mknod(path, { type: "char", major: 0, minor: 0 });
    template = path;
    return path;
  }

  function dropTemplate(): void {
    if (template === undefined) return;
    try {
      unlinkSync(template);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
    template = undefined;
  }

  return {
    async create(path) {
      const from = template ?? (await newTemplate());
      try {
        linkSync(from, path);
      } catch (err) {
        // A filesystem's link-count limit (ext4: 65000): start a new template.
        if (!isErrno(err, "EMLINK")) throw err;
        dropTemplate();
        linkSync(await newTemplate(), path);
      }
    },
    close: dropTemplate,
  };
}
