// Names for the Docker Engine API shapes berth speaks. Server (api/), client
// (client/) and the services that build these bodies share them; the generated
// file is the spec itself, so a shape drifting from Docker's fails to compile.
import type { definitions, operations } from "./engine.js";

export type ContainerConfig = definitions["ContainerConfig"];
export type HostConfig = definitions["HostConfig"];
export type NetworkingConfig = definitions["NetworkingConfig"];
export type ContainerCreateBody = operations["ContainerCreate"]["parameters"]["body"]["body"];
export type ContainerCreateResponse = definitions["ContainerCreateResponse"];
export type ContainerInspect = operations["ContainerInspect"]["responses"][200]["schema"];
export type ContainerState = definitions["ContainerState"];
export type ContainerSummary = definitions["ContainerSummary"];
export type ContainerWaitResponse = definitions["ContainerWaitResponse"];
export type ContainerTopResponse = operations["ContainerTop"]["responses"][200]["schema"];
export type MountPoint = definitions["MountPoint"];
export type Port = definitions["Port"];
export type Mount = definitions["Mount"];
export type PortBinding = definitions["PortBinding"];
export type PortMap = NonNullable<HostConfig["PortBindings"]>;
export type NetworkSettings = definitions["NetworkSettings"];
export type EndpointSettings = definitions["EndpointSettings"];
export type Network = definitions["Network"];
export type NetworkContainer = definitions["NetworkContainer"];
export type IPAM = definitions["IPAM"];
export type NetworkCreateBody = operations["NetworkCreate"]["parameters"]["body"]["networkConfig"];
export type NetworkConnectBody = operations["NetworkConnect"]["parameters"]["body"]["container"];
export type NetworkDisconnectBody = operations["NetworkDisconnect"]["parameters"]["body"]["container"];
export type Volume = definitions["Volume"];
export type VolumeCreateBody = definitions["VolumeCreateOptions"];
export type VolumeListResponse = definitions["VolumeListResponse"];

export type ImageConfigDocker = definitions["ImageConfig"];
export type ImageInspect = definitions["ImageInspect"];
export type ImageSummary = definitions["ImageSummary"];
export type ImageHistoryItem = definitions["ImageHistoryResponseItem"];
export type ImageDeleteItem = definitions["ImageDeleteResponseItem"];

export type ExecCreateBody = operations["ContainerExec"]["parameters"]["body"]["execConfig"];
export type ExecStartBody = NonNullable<operations["ExecStart"]["parameters"]["body"]["execStartConfig"]>;
export type ExecInspect = operations["ExecInspect"]["responses"][200]["schema"];

export type SystemInfo = definitions["SystemInfo"];
export type SystemVersion = definitions["SystemVersion"];
export type EventMessage = definitions["EventMessage"];
export type ErrorResponse = definitions["ErrorResponse"];
export type IdResponse = definitions["IdResponse"];
/** One line of the JSON message stream that pull, push, load, import and build write. */
export interface JSONMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { code?: number; message?: string };
}
