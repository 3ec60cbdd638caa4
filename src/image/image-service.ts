// Images: a config blob (its digest is the image ID) plus an ordered list of
// layers, each unpacked once into a committed snapshot named by its chain ID
// and shared by every image and container that uses it. Names ("refs") point
// at image IDs; an image with no name is dangling.
//
// Lifecycle:
//   load/import/pull: blobs → content store (verified), each layer unpacked
//   into a snapshot (snapshot/ + archive/), then — in one SQLite transaction —
//   the image row, its layers and its refs appear. A crash before that commit
//   leaves only unreferenced blobs and snapshots, which gc collects.
//   containers: prepareContainerRootfs() makes the writable snapshot on top.
//   rmi: untag; when the last ref goes and no container uses the image, delete
//   the record; layers no image references are removed by gc.
import type { Readable } from "node:stream";
import type { ImageConfig, Digest } from "../oci/types.js";
import type { Mount } from "../snapshot/snapshotter.js";
import type { ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, JSONMessage } from "../api/types/index.js";
import type { Filters } from "../oci/filters.js";
import type { BuildLayers } from "./build-layers.js";
import type { Credentials } from "../registry/registry.js";

export interface ImageRecord {
  id: Digest; // "sha256:…" = config digest
  config: ImageConfig;
  /** Normalised names: "docker.io/library/busybox:latest", "repo@sha256:…". */
  refs: string[];
  /** Chain IDs of its layers, bottom first. */
  chainIds: string[];
  created: string;
  /** Unpacked size of all layers, bytes. */
  size: number;
}

export interface ImportOptions {
  /** "repo[:tag]" to name the result, optional. */
  reference?: string;
  /** Dockerfile instructions (see changes.ts): CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL, VOLUME, ONBUILD, HEALTHCHECK. */
  changes?: string[];
  /** The commit message; without one, "Imported from <source>". */
  message?: string;
  /** Where the tarball came from: "-" (the request body) or the URL fetched. */
  source?: string;
  platform?: string;
}

export interface PullOptions {
  /** "os/arch[/variant]"; the host's platform when absent. */
  platform?: string;
  /** -a: every tag of the repository. */
  allTags?: boolean;
  /** From the request's X-Registry-Auth, for the reference's registry. */
  credentials?: Credentials;
  signal?: AbortSignal;
}

export interface PushOptions {
  allTags?: boolean;
  credentials?: Credentials;
  signal?: AbortSignal;
}

export interface ImageService {
  /** Find by name, full or short ID, or digest; throws NotFoundError("No such image: x"). */
  resolve(refOrId: string): Promise<ImageRecord>;
  list(opts: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<ImageSummary[]>;
  inspect(refOrId: string): Promise<ImageInspect>;
  history(refOrId: string): Promise<ImageHistoryItem[]>;
  tag(source: string, target: string): Promise<void>;
  /**
   * rmi. `usedBy` answers which containers use an image (409 unless force).
   */
  remove(
    refOrId: string,
    opts: { force?: boolean; noPrune?: boolean; usedBy: (imageId: string) => { id: string; running: boolean }[] },
  ): Promise<ImageDeleteItem[]>;
  /**
   * POST /images/prune: dangling images (or, with dangling=false, every image
   * no container uses) that pass until/label/label!, removed as rmi would.
   */
  prune(
    filters: Filters,
    opts: { usedBy: (imageId: string) => { id: string; running: boolean }[] },
  ): Promise<{ ImagesDeleted: ImageDeleteItem[]; SpaceReclaimed: number }>;
  /** A rootfs tarball (optionally gzip) becomes a one-layer image. Returns the image ID. */
  import(source: Readable, opts: ImportOptions): Promise<string>;
  /** docker-archive tar of the given images (manifest.json, repositories, OCI index.json). */
  save(refsOrIds: string[]): Promise<Readable>;
  /** Reads a docker-archive (or OCI layout) tar; reports "Loaded image: …" lines. */
  load(source: Readable, onMessage: (m: JSONMessage) => void): Promise<void>;
  /** Makes a writable snapshot on the image's top layer for a container; returns its mounts. */
  prepareContainerRootfs(imageId: string, containerId: string): Promise<Mount[]>;
  removeContainerRootfs(containerId: string): Promise<void>;
  /** A container's changes to its image, as an uncompressed layer tar with whiteouts (docker commit). */
  containerDiff(containerId: string): Readable;
  /** Commits a new image from config + a layer tar on top of a parent image (used by commit and build). */
  commitLayer?(parentId: string | undefined, layer: Readable | undefined, config: ImageConfig): Promise<string>;
  /**
   * docker pull: manifest (a list or index resolved for the platform), config
   * and layers from the registry, each verified while it streams; layers
   * download three at a time and unpack as they arrive. Progress goes out as
   * Docker's JSON messages; a failure leaves no image and nothing unreachable.
   */
  pull(reference: string, opts: PullOptions, onMessage: (m: JSONMessage) => void): Promise<void>;
  /** docker push: blobs the registry lacks (compressed on the way when stored uncompressed), then the manifest. */
  push(reference: string, opts: PushOptions, onMessage: (m: JSONMessage) => void): Promise<void>;
  /** Layers and leases for builds (build/). */
  readonly build: BuildLayers;
  /** At start-up: releases the leases of pulls and pushes an earlier berthd did not finish, so gc can take what they left. */
  releaseInterruptedLeases(): void;
  /** Removes blobs, layers and snapshots no image or container reaches. */
  gc(): Promise<{ reclaimed: number }>;
}
