// What a manifest PUT must prove before it is stored: it parses, its media
// type is one berth serves and agrees with the body, and everything it points
// at is already in the repository (blobs for a manifest, manifests for an
// index). Returns what storage needs, including the referrer descriptor when
// the manifest has a `subject`.
import { MediaType, type Descriptor } from "../../../oci/types.js";
import { RegistryError } from "../errors.js";
import { isDigestRef } from "../names.js";
import { statBlob } from "../storage/blobs.js";
import type { ReferrerDescriptor } from "../storage/manifests.js";
import { statManifest } from "../storage/manifests.js";

const MANIFEST_TYPES: string[] = [MediaType.OciManifest, MediaType.DockerManifest];
const INDEX_TYPES: string[] = [MediaType.OciIndex, MediaType.DockerManifestList];

export interface CheckedManifest {
  mediaType: string;
  subject?: string;
  referrer?: ReferrerDescriptor;
}

export async function checkManifest(
  root: string,
  name: string,
  opts: { bytes: Buffer; digest: string; contentType: string | undefined },
): Promise<CheckedManifest> {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(opts.bytes.toString("utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new RegistryError("MANIFEST_INVALID", { reason: (err as Error).message });
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw invalid("manifest is not a JSON object");
  const bodyType = typeof doc.mediaType === "string" ? doc.mediaType : undefined;
  const header = opts.contentType?.split(";")[0]!.trim();
  const mediaType = header && header !== "application/json" && header !== "application/octet-stream" ? header : bodyType ?? (Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest);
  if (!MANIFEST_TYPES.includes(mediaType) && !INDEX_TYPES.includes(mediaType)) {
    throw new RegistryError("MANIFEST_INVALID", { mediaType }, { message: `manifest invalid: unsupported manifest media type ${mediaType}` });
  }
  if (bodyType !== undefined && bodyType !== mediaType) throw invalid(`mediaType ${bodyType} in the manifest does not match Content-Type ${mediaType}`);
  if (doc.schemaVersion !== 2) throw invalid("schemaVersion must be 2");
  const missing: string[] = [];
  if (MANIFEST_TYPES.includes(mediaType)) {
    const config = descriptor(doc.config, "config");
    if (!Array.isArray(doc.layers)) throw invalid("layers must be a list");
    const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    for (const d of [config, ...layers.filter((l) => !l.urls?.length)]) {
      if ((await statBlob(root, name, d.digest)) === undefined) missing.push(d.digest);
    }
  } else {
    if (!Array.isArray(doc.manifests)) throw invalid("manifests must be a list");
    for (const [i, m] of doc.manifests.entries()) {
      const d = descriptor(m, `manifests[${i}]`);
      if ((await statManifest(root, name, { digest: d.digest })) === undefined) missing.push(d.digest);
    }
  }
  if (missing.length > 0) throw new RegistryError("MANIFEST_BLOB_UNKNOWN", { digest: missing[0], missing });
  if (doc.subject === undefined) return { mediaType };
  const subject = descriptor(doc.subject, "subject");
  const config = doc.config as Descriptor | undefined;
  const artifactType = typeof doc.artifactType === "string" ? doc.artifactType : MANIFEST_TYPES.includes(mediaType) ? config?.mediaType : undefined;
  const referrer: ReferrerDescriptor = {
    mediaType,
    digest: opts.digest,
    size: opts.bytes.length,
    ...(artifactType ? { artifactType } : {}),
    ...(isStringMap(doc.annotations) ? { annotations: doc.annotations } : {}),
  };
  return { mediaType, subject: subject.digest, referrer };
}

function descriptor(value: unknown, where: string): Descriptor {
  const d = value as Partial<Descriptor> | null;
  if (typeof d !== "object" || d === null || typeof d.mediaType !== "string" || typeof d.digest !== "string" || typeof d.size !== "number") {
    throw invalid(`${where} is not a descriptor`);
  }
  if (!isDigestRef(d.digest)) throw new RegistryError("DIGEST_INVALID", { digest: d.digest }, { message: "invalid digest" });
  return d as Descriptor;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((s) => typeof s === "string");
}

function invalid(reason: string): RegistryError {
  return new RegistryError("MANIFEST_INVALID", { reason });
}
