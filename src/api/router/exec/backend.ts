// The exec router drives the exec service as a whole: every method is an endpoint.
import type { ExecService } from "../../../container/container-service.js";

export type ExecBackend = ExecService;
