// ADD <URL>: the download becomes a one-file source tree. dockerd's rules
// (builder/dockerfile/copy.go downloadSource): the file is named after the
// URL path's last segment (else Content-Disposition's filename), has mode
// 0600, and its mtime is Last-Modified when the server sends one, else the
// Unix epoch. A URL is never extracted, whatever it holds. --checksum is
// BuildKit's: the download must have that digest.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError, NotFoundError, SystemError } from "../../errors.js";
import type { SourceTree } from "./build-context.js";
import { realPathOf, selectionChecksum, selectSources } from "./select.js";
import { createTreeIndex } from "./tree-index.js";

export async function fetchRemote(
  url: string,
  opts: { dir: string; checksum?: string; signal?: AbortSignal },
): Promise<SourceTree & { fileName: string }> {
  if (opts.checksum !== undefined && !/^sha256:[0-9a-f]{64}$/.test(opts.checksum)) {
    throw new InvalidArgumentError(`invalid checksum ${JSON.stringify(opts.checksum)}: expected sha256:<64 hex digits>`);
  }
  const res = await fetch(url, { signal: opts.signal, redirect: "follow" });
  if (!res.ok || res.body === null) {
    const text = (await res.text()).trim().slice(0, 512);
    throw new SystemError(`failed to GET ${url} with status ${res.status} ${res.statusText}${text ? `: ${text}` : ""}`);
  }
  const fileName = downloadName(url, res.headers.get("content-disposition"));
  const path = join(opts.dir, `download-${createHash("sha256").update(url).digest("hex").slice(0, 16)}`);
  const hash = createHash("sha256");
  let size = 0;
  const fh = await open(path, "w", 0o600);
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.length;
      await fh.write(chunk);
    }
  } finally {
    await fh.close();
  }
  const digest = `sha256:${hash.digest("hex")}`;
  if (opts.checksum !== undefined && digest !== opts.checksum) {
    throw new InvalidArgumentError(`digest mismatch ${digest}: ${opts.checksum}`);
  }
  const modified = Date.parse(res.headers.get("last-modified") ?? "");
  const index = createTreeIndex({ rootMtimeMs: 0 });
  index.set({
    path: fileName,
    type: "file",
    mode: 0o600,
    uid: 0,
    gid: 0,
    size,
    mtimeMs: Number.isNaN(modified) ? 0 : modified,
    offset: 0,
    sha256: digest.slice("sha256:".length),
  });
  const record = (p: string) => {
    const rec = index.get(p);
    if (rec?.type !== "file") throw new NotFoundError(`file not found: ${p}`);
    return rec;
  };
  return {
    fileName,
    select: (sources, selectOpts) => selectSources(index, sources, selectOpts),
    checksum: (selection) => selectionChecksum(selection, async (e) => record(realPathOf(e)).sha256),
    open: async (entry) => {
      record(realPathOf(entry));
      return createReadStream(path);
    },
    bytes: async (entry) => {
      record(realPathOf(entry));
      return readFile(path);
    },
  };
}

/** The URL path's last segment, else Content-Disposition's filename parameter. */
function downloadName(url: string, disposition: string | null): string {
  const path = decodeURIComponent(new URL(url).pathname);
  if (path !== "" && !path.endsWith("/")) return path.slice(path.lastIndexOf("/") + 1);
  const m = disposition?.match(/filename\s*=\s*"?([^";]+)"?/i);
  const name = m?.[1]?.trim();
  if (name && !name.endsWith("/")) return name.slice(name.lastIndexOf("/") + 1);
  throw new InvalidArgumentError(`cannot determine filename for source ${url}`);
}
