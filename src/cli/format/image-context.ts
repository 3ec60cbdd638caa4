// The rows `berth images` prints: one per repository:tag (and per digest with
// --digests), "<none>" where an image has no name, as Docker's image formatter.
import type { ImageSummary } from "../../api/types/index.js";
import { goTime, truncateId } from "./container-context.js";
import type { ListFormat } from "./render.js";
import { humanSize, since } from "./units.js";

export const IMAGE_FORMAT: ListFormat = {
  typeName: "*formatter.imageContext",
  defaultTable: "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}",
  headers: {
    Containers: "CONTAINERS",
    CreatedAt: "CREATED AT",
    CreatedSince: "CREATED",
    Digest: "DIGEST",
    ID: "IMAGE ID",
    // Docker heads a label's column with the label's name.
    Label: (name: unknown) => String(name),
    Repository: "REPOSITORY",
    SharedSize: "SHARED SIZE",
    Size: "SIZE",
    Tag: "TAG",
    UniqueSize: "UNIQUE SIZE",
    // Deprecated in Docker as the same as Size, and headed the same.
    VirtualSize: "SIZE",
  },
};

export const DIGEST_TABLE = "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

interface Row {
  repo: string;
  tag: string;
  digest: string;
}

export function imageRows(img: ImageSummary, opts: { trunc: boolean; digests: boolean; now?: number }): Record<string, unknown>[] {
  const tags = new Map<string, string[]>();
  const digests = new Map<string, string[]>();
  for (const ref of img.RepoTags ?? []) {
    const [repo, tag] = splitTag(ref);
    if (repo === "<none>") continue;
    tags.set(repo, [...(tags.get(repo) ?? []), tag]);
  }
  for (const ref of img.RepoDigests ?? []) {
    const at = ref.indexOf("@");
    if (at < 0 || ref.startsWith("<none>")) continue;
    const repo = ref.slice(0, at);
    digests.set(repo, [...(digests.get(repo) ?? []), ref.slice(at + 1)]);
  }
  const rows: Row[] = [];
  for (const [repo, repoTags] of tags) {
    const repoDigests = opts.digests ? (digests.get(repo) ?? []) : [];
    digests.delete(repo);
    for (const tag of repoTags) {
      if (repoDigests.length === 0) rows.push({ repo, tag, digest: "<none>" });
      for (const digest of repoDigests) rows.push({ repo, tag, digest });
    }
  }
  for (const [repo, repoDigests] of digests) {
    if (opts.digests) for (const digest of repoDigests) rows.push({ repo, tag: "<none>", digest });
    else rows.push({ repo, tag: "<none>", digest: "<none>" });
  }
  if (rows.length === 0) rows.push({ repo: "<none>", tag: "<none>", digest: "<none>" });
  return rows.map((row) => imageContext(img, row, opts));
}

function imageContext(img: ImageSummary, row: Row, opts: { trunc: boolean; now?: number }): Record<string, unknown> {
  const labels = img.Labels ?? {};
  const unique = img.SharedSize >= 0 ? img.Size - img.SharedSize : -1;
  return {
    Containers: img.Containers >= 0 ? String(img.Containers) : "N/A",
    CreatedAt: goTime(img.Created),
    CreatedSince: img.Created > 0 ? since(img.Created, opts.now) : "N/A",
    Digest: row.digest,
    ID: opts.trunc ? truncateId(img.Id) : img.Id,
    Label: (name: unknown) => labels[String(name)] ?? "",
    Repository: row.repo,
    // Docker prints Size to 3 significant digits and the others to 4 (go-units' HumanSize).
    SharedSize: img.SharedSize >= 0 ? humanSize(img.SharedSize) : "N/A",
    Size: humanSize(img.Size, 3),
    Tag: row.tag,
    UniqueSize: unique >= 0 ? humanSize(unique) : "N/A",
    VirtualSize: humanSize(img.Size),
  };
}

/** "localhost:5000/app:v1" → ["localhost:5000/app", "v1"]; a registry port is not a tag. */
export function splitTag(ref: string): [string, string] {
  const colon = ref.lastIndexOf(":");
  if (colon > ref.lastIndexOf("/")) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, "latest"];
}
