// Volumes: named directories under <data-root>/volumes/<name>/_data that
// outlive containers, as dockerd's "local" driver keeps them. Records (name,
// labels, driver options, whether the name was generated) and references
// (which containers use a volume) live in SQLite; a volume is in use while any
// container, running or not, refers to it.
//
// Lifecycle of a volume used by `run -v data:/srv`:
//   1. create({name: "data", reference: ctrId}) at container create: the
//      record and its directory are made on first use (the same name again
//      returns the existing volume), and the reference is recorded with it.
//   2. mount("data", ctrId) at container start → the host directory to bind.
//      A volume with driver options (`-o type=tmpfs,device=tmpfs,o=size=64m`)
//      is mounted on its _data by its first active user and unmounted when the
//      last one stops: unmount("data", ctrId) at every exit.
//   3. release("data", ctrId) when the container is removed; from then on the
//      volume is unused and remove/prune may take it.
//   4. reconcile(running) at berthd start: the containers that kept running
//      are the active users again; option mounts nobody uses are undone.
import type { Volume } from "../api/types/index.js";
import type { Filters } from "../oci/filters.js";

/** Docker's label on volumes it named itself (`-v /data`, an image's VOLUME); prune takes only these by default. */
export const ANONYMOUS_LABEL = "com.docker.volume.anonymous";

export interface VolumeCreateOptions {
  /** Omitted: a random 64-hex name, and the volume is anonymous. */
  name?: string;
  /** Only "local" exists. */
  driver?: string;
  labels?: Record<string, string>;
  /** The local driver's options: type, device, o (as mount(8) takes them). */
  options?: Record<string, string>;
  /** A container that uses the volume from now on, recorded with the create. */
  reference?: string;
}

export interface VolumeService {
  /** POST /volumes/create (201): a new volume, or the existing one of that name. */
  create(opts: VolumeCreateOptions): Promise<Volume>;
  /** GET /volumes; filters: dangling, driver, label, name. */
  list(filters: Filters): Promise<{ Volumes: Volume[]; Warnings: string[] }>;
  /** GET /volumes/{name}. NotFoundError `get <name>: no such volume`. */
  inspect(name: string): Promise<Volume>;
  /** DELETE /volumes/{name}. ConflictError `remove <name>: volume is in use - [<ids>]`; `force` ignores a missing one. */
  remove(name: string, opts: { force?: boolean }): Promise<void>;
  /** POST /volumes/prune: unused anonymous volumes, or every unused one with the `all=true` filter; label filters. */
  prune(filters: Filters): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }>;
  /** For system df: every volume with UsageData (Size of _data, RefCount). */
  usage(): Promise<Volume[]>;

  // --- for containers ------------------------------------------------------
  /** Records that `containerId` uses the volume (it must exist). */
  reference(name: string, containerId: string): void;
  /** Drops the reference of a removed container. */
  release(name: string, containerId: string): void;
  /** The host directory to bind for `containerId`; mounts an option volume on its first active user. */
  mount(name: string, containerId: string): Promise<string>;
  /** The container stopped: the last active user of an option volume unmounts it. */
  unmount(name: string, containerId: string): Promise<void>;
  /** Whether the volume is anonymous (its name generated): `rm -v` removes only those. */
  isAnonymous(name: string): boolean;
  /** At berthd start, after container recovery: `running` container IDs become the active users again. */
  reconcile(running: ReadonlySet<string>): Promise<void>;
}
