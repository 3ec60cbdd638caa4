// DELETE /images/{name} (rmi), with moby's rules: by name it untags, and
// deletes only when that was the last name and no container needs the image;
// by ID it deletes, untagging first, unless the image has names in several
// repositories or a container uses it (409; `force` overrides the soft cases,
// never a running container).
import { ConflictError } from "../errors.js";
import { shortId } from "../oci/digest.js";
import { familiarString, parseNormalizedNamed, parseReference, repositoryName, type Reference } from "../oci/reference.js";
import type { Digest } from "../oci/types.js";
import type { ImageDeleteItem } from "../api/types/index.js";
import type { DB } from "../store/db.js";
import { refKey, resolveImageId, type ImageContext } from "./context.js";
import { collectGarbage } from "./gc.js";

export interface RemoveOptions {
  force?: boolean;
  usedBy: (imageId: string) => { id: string; running: boolean }[];
}

interface StoredRef {
  key: string;
  ref: Reference;
}

export async function removeImage(
  ctx: ImageContext,
  db: DB,
  refOrId: string,
  opts: RemoveOptions,
): Promise<ImageDeleteItem[]> {
  const force = opts.force ?? false;
  const imgId = resolveImageId(ctx, refOrId);
  const out: ImageDeleteItem[] = [];
  const refsOf = (): StoredRef[] => ctx.records.refsOf(imgId).map((r) => ({ key: r.ref, ref: parseReference(r.ref) }));
  const untag = (r: StoredRef): void => {
    ctx.records.deleteRef(r.key);
    out.push({ Untagged: familiarString(r.ref) });
  };
  const containers = opts.usedBy(imgId);
  let repoRefs = refsOf();
  let quiet = false;

  if (!isImageIdPrefix(imgId, refOrId)) {
    if (!force && isSingleReference(repoRefs) && containers.length > 0) {
      throw new ConflictError(
        `conflict: unable to remove repository reference "${refOrId}" (must force) - container ${shortId(containers[0]!.id)} is using its referenced image ${shortId(imgId)}`,
      );
    }
    const named = parseNormalizedNamed(refOrId);
    const key = refKey(named);
    untag({ key, ref: parseReference(key) });
    repoRefs = refsOf();
    // Removing the last tag of a repository also removes that repository's digest names.
    if (named.digest === undefined) {
      const repo = repositoryName(named);
      const sameRepo = (r: StoredRef): boolean => repositoryName(r.ref) === repo;
      if (!repoRefs.some((r) => r.ref.digest === undefined && sameRepo(r))) {
        for (const r of repoRefs) if (r.ref.digest !== undefined && sameRepo(r)) untag(r);
        repoRefs = refsOf();
      }
    }
    if (repoRefs.length > 0) return out;
    quiet = true;
  } else if (isSingleReference(repoRefs)) {
    const conflict = findConflict(ctx, imgId, containers, { soft: !force, activeReference: false });
    if (conflict) throw conflict.error;
    for (const r of repoRefs) untag(r);
  }

  const conflict = findConflict(ctx, imgId, containers, { soft: !force, activeReference: true });
  if (conflict) {
    // Untagging by name succeeded; an image a container still uses stays, dangling.
    if (quiet && conflict.used) return out;
    throw conflict.error;
  }
  for (const r of refsOf()) untag(r);
  ctx.records.deleteImage(imgId);
  out.push({ Deleted: imgId });
  const { removedLayers } = await collectGarbage(ctx, db);
  for (const chainId of removedLayers) out.push({ Deleted: chainId });
  return out;
}

function findConflict(
  ctx: ImageContext,
  imgId: Digest,
  containers: { id: string; running: boolean }[],
  check: { soft: boolean; activeReference: boolean },
): { error: ConflictError; used: boolean } | undefined {
  const make = (hard: boolean, message: string): ConflictError =>
    new ConflictError(
      `conflict: unable to delete ${shortId(imgId)} (${hard ? "cannot be forced" : "must be forced"}) - ${message}`,
    );
  const running = containers.find((c) => c.running);
  if (running) return { error: make(true, `image is being used by running container ${shortId(running.id)}`), used: true };
  if (!check.soft) return undefined;
  if (check.activeReference && ctx.records.refsOf(imgId).length > 0) {
    return { error: make(false, "image is referenced in multiple repositories"), used: false };
  }
  const stopped = containers.find((c) => !c.running);
  if (stopped) return { error: make(false, `image is being used by stopped container ${shortId(stopped.id)}`), used: true };
  return undefined;
}

function isImageIdPrefix(imageId: Digest, candidate: string): boolean {
  return imageId.startsWith(candidate) || imageId.slice(imageId.indexOf(":") + 1).startsWith(candidate);
}

/** True when all names are one tag plus digests of that same repository (moby's isSingleReference). */
function isSingleReference(refs: StoredRef[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: StoredRef | undefined;
  const canonicalRepos = new Set<string>();
  for (const r of refs) {
    if (r.ref.digest !== undefined) canonicalRepos.add(repositoryName(r.ref));
    else if (single === undefined) single = r;
    else return false;
  }
  single ??= refs[0]!;
  return canonicalRepos.size === 1 && canonicalRepos.has(repositoryName(single.ref));
}
