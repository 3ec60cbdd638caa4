// What every step of one build shares (BuildRun) and what one stage carries
// from step to step (StageState).
import type { ImageService } from "../image/image-service.js";
import type { RuncOptions } from "../runtime/runc.js";
import type { Snapshotter } from "../snapshot/snapshotter.js";
import type { BuildOptions } from "./build-service.js";
import type { CacheRecords } from "./cache-records.js";
import type { BuildContext } from "./context/build-context.js";
import type { Instruction } from "./dockerfile/ast.js";
import type { StepResult } from "./step-result.js";

export interface BuilderDeps {
  images: ImageService;
  snapshotter: Snapshotter;
  cache: CacheRecords;
  runc: RuncOptions;
  /** <data-root>/build: per-build directories and cache mounts. */
  root: string;
}

export interface BuildRun {
  deps: BuilderDeps;
  opts: BuildOptions;
  context: BuildContext;
  /** This build's private directory (mount points, bundles, fetched files). */
  dir: string;
  /** The lease that keeps this build's layers until cache entries or the image own them. */
  lease: string;
  signal: AbortSignal;
  /** The Dockerfile's escape character (`# escape=`), for word expansion. */
  escape: "\\" | "`";
  /** One line (or chunk) of the classic builder's output stream. */
  emit(text: string): void;
  /** The result of stage `index`, building it on first use (stages run concurrently). */
  stage(index: number): Promise<StepResult>;
  /** The stage a FROM or --from names, if a stage before `before` has that name or index. */
  stageNamed(name: string, before: number): number | undefined;
  /** Build args some ARG declared (for the "not consumed" warning). */
  consumed: Set<string>;
  /** ARGs before the first FROM, with their values (build args applied). */
  globalArgs: Map<string, string | undefined>;
  /** "Step n/m" numbers. */
  stepNumber: Map<Instruction, number>;
  totalSteps: number;
}

export interface StageState {
  index: number;
  result: StepResult;
  /** ARGs declared in this stage, with their values (undefined = declared without one). */
  args: Map<string, string | undefined>;
  shell: string[];
  /** CMD was set in this stage (ENTRYPOINT resets an inherited CMD only). */
  cmdSet: boolean;
}
