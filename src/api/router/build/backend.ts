// What the build router needs: BuildService's two verbs that have an
// endpoint. The daemon passes its build service; tests pass a fake.
import type { BuildService } from "../../../build/build-service.js";

export type BuildBackend = Pick<BuildService, "build" | "prune">;
