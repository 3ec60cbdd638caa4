// One build, start to end: receive the context, parse the Dockerfile, run the
// stages the target needs (concurrently where independent), make the image.
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { InvalidArgumentError, NotFoundError, NotImplementedError } from "../errors.js";
import { defaultPath } from "../container/container-spec.js";
import { hostPlatform, tagReference } from "../image/import.js";
import { familiarString, parseDockerRef } from "../oci/reference.js";
import { shortId } from "../oci/digest.js";
import type { ImageConfig } from "../oci/types.js";
import type { JSONMessage } from "../api/types/index.js";
import { platformArgs, buildArg } from "./args.js";
import type { BuildOptions, BuildResult } from "./build-service.js";
import type { BuilderDeps, BuildRun, StageState } from "./build-run.js";
import { receiveContext } from "./context/receive-context.js";
import type { Dockerfile, Instruction, Stage } from "./dockerfile/ast.js";
import { expandWord } from "./dockerfile/expand.js";
import { parseDockerfile } from "./dockerfile/parse.js";
import { copyStep } from "./copy-step.js";
import { isMetaStep, metaStep } from "./meta-steps.js";
import { runStep } from "./run-step.js";
import { resultOf, type StepResult } from "./step-result.js";
import { neededStages } from "./stages.js";
import { workdirStep } from "./workdir-step.js";

export const BUILD_LEASE_PREFIX = "build-run:";

export async function runBuild(
  deps: BuilderDeps,
  body: Readable,
  opts: BuildOptions,
  io: { onMessage: (m: JSONMessage) => void; signal: AbortSignal },
): Promise<BuildResult> {
  checkPlatform(opts.platform);
  const refs = opts.tags.map((t) => tagReference(t, "refusing to create a tag with a digest reference"));
  const buildId = randomBytes(12).toString("hex");
  const dir = path.join(deps.root, "runs", buildId);
  await mkdir(path.join(dir, "context"), { recursive: true, mode: 0o700 });
  const lease = `${BUILD_LEASE_PREFIX}${buildId}`;
  // A failing stage stops the others (they may be mid-RUN) before anything is cleaned up.
  const stop = new AbortController();
  const signal = AbortSignal.any([io.signal, stop.signal]);
  const results = new Map<number, Promise<StepResult>>();
  // -q is the API edge's: it holds the messages back and shows them only if the build fails.
  const emit = (text: string): void => io.onMessage({ stream: text });
  let context;
  try {
    const name = opts.dockerfile || "Dockerfile";
    context = await receiveContext(body, { dir: path.join(dir, "context"), dockerfile: name });
    const text = await context.readFile(name);
    if (text === undefined) throw new NotFoundError(`Cannot locate specified Dockerfile: ${name}`);
    const dockerfile = parseDockerfile(text.toString("utf8"), { name });
    for (const w of dockerfile.warnings) emit(`[WARNING]: ${w}\n`);
    if (dockerfile.warnings.some((w) => w.startsWith("Empty continuation"))) {
      emit("[WARNING]: Empty continuation lines will become errors in a future release.\n");
    }
    if (dockerfile.directives.syntax) emit(`[WARNING]: syntax directive "${dockerfile.directives.syntax}" is not applied: berth builds with its own Dockerfile frontend\n`);
    const target = targetStage(dockerfile, opts.target);
    addLabels(target, opts.labels);
    const needed = neededStages(dockerfile, target.index, metaScope(dockerfile, opts));

    const stepNumber = new Map<Instruction, number>();
    let n = 0;
    for (const s of dockerfile.stages) {
      if (!needed.has(s.index)) continue;
      for (const i of [s.from, ...s.instructions]) stepNumber.set(i, ++n);
    }
    const run: BuildRun = {
      deps,
      opts,
      context,
      dir,
      lease,
      signal,
      escape: dockerfile.directives.escape,
      emit,
      stage(index) {
        let p = results.get(index);
        if (!p) {
          p = runStage(run, dockerfile.stages[index]!);
          // The first stage to fail fails the build at once: the others are stopped (their
          // RUN killed) rather than waited for, whoever awaits them and whenever.
          p.catch((err: unknown) => stop.abort(err));
          results.set(index, p);
        }
        return p;
      },
      stageNamed: (ref, before) => stageIndex(dockerfile, ref, before),
      consumed: new Set(dockerfile.metaArgs.flatMap((a) => a.args.map((x) => x.name)).filter((k) => k in opts.buildArgs)),
      globalArgs: metaScope(dockerfile, opts),
      stepNumber,
      totalSteps: n,
    };
    for (const i of needed) if (i !== target.index) void run.stage(i);
    const final = await run.stage(target.index);
    const id = final.imageId ?? (await deps.images.build.createImage(Buffer.from(final.json), [])).id;
    for (const ref of refs) await deps.images.tag(id, ref);

    const unused = Object.keys(opts.buildArgs).filter((k) => !run.consumed.has(k) && !isPredefined(k));
    if (unused.length) emit(`[Warning] One or more build-args [${unused.join(" ")}] were not consumed\n`);
    io.onMessage({ aux: { ID: id } });
    io.onMessage({ stream: `Successfully built ${shortId(id)}\n` });
    for (const ref of refs) io.onMessage({ stream: `Successfully tagged ${familiarString(parseDockerRef(ref))}\n` });
    return { imageId: id };
  } catch (err) {
    stop.abort(err);
    await Promise.allSettled(results.values());
    throw err;
  } finally {
    deps.images.build.deleteLease(lease);
    await context?.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

async function runStage(run: BuildRun, stage: Stage): Promise<StepResult> {
  const announce = (i: Instruction): void => run.emit(`Step ${run.stepNumber.get(i) ?? "?"}/${run.totalSteps} : ${i.original}\n`);
  announce(stage.from);
  const lookup = (name: string): string | undefined => run.globalArgs.get(name);
  const base = expandWord(stage.from.image, lookup, { escape: run.escape });
  if (stage.from.platform !== undefined) checkPlatform(expandWord(stage.from.platform, lookup, { escape: run.escape }));
  let result: StepResult;
  const dep = run.stageNamed(base, stage.index);
  if (base.toLowerCase() === "scratch") result = scratch();
  else if (dep !== undefined) result = await run.stage(dep);
  else {
    const image = await run.deps.images.resolve(base).catch((err: unknown) => {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`pull access denied for ${base}: the image is not here and berth cannot pull it yet (issue 4)`);
      }
      throw err;
    });
    result = { ...resultOf(image.config), id: image.id, imageId: image.id };
  }
  run.emit(` ---> ${shortId(result.id)}\n`);
  // As the classic builder's beginStage: a stage whose base has no PATH gets the default one,
  // in the config of every step it makes (a bare FROM still names the base image itself).
  if (stage.instructions.length > 0 || (result.config.config?.OnBuild?.length ?? 0) > 0) result = withDefaultPath(result);
  const state: StageState = {
    index: stage.index,
    result,
    args: new Map(),
    shell: result.config.config?.Shell ?? ["/bin/sh", "-c"],
    cmdSet: false,
  };
  const triggers = result.config.config?.OnBuild ?? [];
  if (triggers.length > 0) {
    run.emit(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? "s" : ""}\n`);
    const parsed = parseDockerfile(`FROM scratch\n${triggers.join("\n")}\n`).stages[0]!.instructions;
    for (const instr of parsed) state.result = await dispatch(run, state, instr);
    // Triggers run once, in the image built FROM this one, and are not inherited.
    state.result = clearOnBuild(state.result);
  }
  for (const instr of stage.instructions) {
    announce(instr);
    state.result = await dispatch(run, state, instr);
  }
  return state.result;
}

async function dispatch(run: BuildRun, state: StageState, instr: Instruction): Promise<StepResult> {
  if (run.signal.aborted) throw run.signal.reason ?? new Error("build cancelled");
  switch (instr.kind) {
    case "RUN":
      return runStep(run, state, instr);
    case "COPY":
    case "ADD":
      return copyStep(run, state, instr);
    case "WORKDIR":
      return workdirStep(run, state, instr);
    case "FROM":
      throw new InvalidArgumentError(`FROM is not allowed here (line ${instr.line})`);
    default:
      if (isMetaStep(instr)) return metaStep(run, state, instr);
      throw new NotImplementedError(`unsupported instruction ${(instr as Instruction).kind}`);
  }
}

function withDefaultPath(result: StepResult): StepResult {
  const env = result.config.config?.Env ?? [];
  if (env.some((e) => e.startsWith("PATH="))) return result;
  return resultOf({ ...result.config, config: { ...result.config.config, Env: [...env, defaultPath] } });
}

function clearOnBuild(result: StepResult): StepResult {
  if (!result.config.config?.OnBuild?.length) return result;
  const config: ImageConfig = { ...result.config, config: { ...result.config.config, OnBuild: null } };
  return resultOf(config);
}

function scratch(): StepResult {
  const { os, architecture } = hostPlatform();
  return resultOf({ architecture, os, config: {}, rootfs: { type: "layers", diff_ids: [] } });
}

function targetStage(df: Dockerfile, target: string | undefined): Stage {
  if (df.stages.length === 0) throw new InvalidArgumentError("the Dockerfile (Dockerfile) cannot be empty");
  if (!target) return df.stages[df.stages.length - 1]!;
  const found = df.stages.find((s) => s.name === target.toLowerCase());
  if (!found) throw new InvalidArgumentError(`failed to reach build target ${target} in Dockerfile`);
  return found;
}

/** A stage by `AS` name or index, among those before `before`. */
function stageIndex(df: Dockerfile, ref: string, before: number): number | undefined {
  const lower = ref.toLowerCase();
  const byName = df.stages.find((s) => s.index < before && s.name === lower);
  if (byName) return byName.index;
  if (/^\d+$/.test(ref) && Number(ref) < Math.min(before, df.stages.length)) return Number(ref);
  return undefined;
}

/** --label: the classic builder appends a LABEL step to the target stage. */
function addLabels(stage: Stage, labels: Record<string, string>): void {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return;
  const pairs = keys.map((k) => [JSON.stringify(k), JSON.stringify(labels[k])] as [string, string]);
  const line = stage.instructions.at(-1)?.endLine ?? stage.from.endLine;
  // Shown as dockerd shows it ("LABEL extra=yes"); the pairs are quoted so that expansion keeps them whole.
  stage.instructions.push({ kind: "LABEL", pairs, line, endLine: line, original: `LABEL ${keys.map((k) => `${k}=${labels[k]}`).join(" ")}` });
}

/** The global scope: platform ARGs, then ARGs before the first FROM with --build-arg applied. */
function metaScope(df: Dockerfile, opts: BuildOptions): Map<string, string | undefined> {
  const scope = new Map<string, string | undefined>(platformArgs(opts.platform));
  const run = { opts } as BuildRun;
  for (const instr of df.metaArgs) {
    for (const a of instr.args) {
      const value = buildArg(run, a.name) ?? (a.value !== undefined ? expandWord(a.value, (n) => scope.get(n), { escape: df.directives.escape }) : undefined);
      scope.set(a.name, value);
    }
  }
  return scope;
}

function isPredefined(name: string): boolean {
  return /^(HTTPS?_PROXY|FTP_PROXY|NO_PROXY|ALL_PROXY)$/i.test(name);
}

function checkPlatform(platform: string | undefined): void {
  if (!platform) return;
  const { os, architecture } = hostPlatform();
  const [pos, parch = architecture] = platform.toLowerCase().split("/");
  if (pos !== os || parch !== architecture) {
    throw new NotImplementedError(`platform ${platform} is not supported: berth builds for ${os}/${architecture} only`);
  }
}
