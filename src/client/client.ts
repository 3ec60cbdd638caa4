// berth's typed client for the Docker Engine API, used by the CLI and offered
// as the TypeScript SDK. A session:
//
//   const client = createClient({ host: "unix:///run/berth/berth.sock" });
//   const { Id } = await client.containers.create({ Image: "busybox", Cmd: ["ls"] });
//   const exit = await client.containers.watchExit(Id);   // registered before start
//   const io = await client.containers.attach(Id, { stdout: true, stderr: true, tty: false });
//   await client.containers.start(Id);
//   for await (const { stream, data } of io.output) process[stream === "stderr" ? "stderr" : "stdout"].write(data);
//   const { StatusCode } = await exit.result;
//   client.close();
//
// Every method speaks one endpoint of the v1.45 API (at the version negotiated
// with an older daemon: see transport.ts). A non-2xx answer throws the
// error kind of src/errors.ts matching its status (404 NotFoundError, 409
// ConflictError, 400 InvalidArgumentError, 304 NotModifiedError, else
// SystemError…) carrying the daemon's message; fromDaemon(err) tells those from
// connection failures (UnavailableError "Cannot connect to the berth daemon…").
// Streams resolve once the daemon accepted the request, then yield as data comes.
import { containersApi, type ContainersApi } from "./containers.js";
import { containerResourcesApi, imagePruneApi, type ContainerResourcesApi, type ImagePruneApi } from "./container-resources.js";
import { execApi, type ExecApi } from "./exec.js";
import { imagesApi, type ImagesApi } from "./images.js";
import { buildApi, type BuildApi } from "./build.js";
import { systemApi, type SystemApi } from "./system.js";
import { networksApi, type NetworksApi } from "./networks.js";
import { volumesApi, type VolumesApi } from "./volumes.js";
import { containerFsApi, type ContainerFsApi } from "./container-fs.js";
import { InvalidArgumentError } from "../errors.js";
import { createTransport } from "./transport.js";
import { DEFAULT_HOST } from "./host.js";

export interface Client extends SystemApi {
  readonly host: string;
  /** The API version this client speaks with the daemon (see transport.ts: pinned, or negotiated on first use). */
  apiVersion(): Promise<string>;
  readonly containers: ContainersApi & ContainerResourcesApi;
  readonly images: ImagesApi & ImagePruneApi;
  readonly exec: ExecApi;
  /** Image builds (POST /build) and the build cache. */
  readonly build: BuildApi;
  readonly networks: NetworksApi;
  readonly volumes: VolumesApi;
  /** A container's filesystem: cp's archive endpoints, diff, export, commit. */
  readonly containerFs: ContainerFsApi;
  /** Drops idle keep-alive connections. */
  close(): void;
}

export interface ClientOptions {
  host?: string;
  /** Speak this API version ("1.41") instead of negotiating one, as DOCKER_API_VERSION does for the docker CLI. */
  version?: string;
}

export function createClient(opts: ClientOptions = {}): Client {
  if (opts.version !== undefined && !/^\d+\.\d+$/.test(opts.version)) {
    throw new InvalidArgumentError(`invalid API version (${opts.version}): must be formatted <major>.<minor>`);
  }
  const transport = createTransport(opts.host ?? DEFAULT_HOST, { version: opts.version });
  return {
    host: transport.host,
    apiVersion: () => transport.apiVersion(),
    ...systemApi(transport),
    containers: { ...containersApi(transport), ...containerResourcesApi(transport) },
    images: { ...imagesApi(transport), ...imagePruneApi(transport) },
    exec: execApi(transport),
    build: buildApi(transport),
    networks: networksApi(transport),
    volumes: volumesApi(transport),
    containerFs: containerFsApi(transport),
    close: () => transport.close(),
  };
}

export { fromDaemon, streamError } from "./http-error.js";
export { resolveHost, DEFAULT_HOST } from "./host.js";
export { API_VERSION } from "./transport.js";
export type { StreamChunk, StreamName } from "./stdcopy.js";
export type { AttachedStream } from "./attached-stream.js";
export type { Filters } from "./query.js";
