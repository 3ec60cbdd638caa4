// RUN: the command runs in a runc container on a writable snapshot of the
// parent result; what it changed becomes the step's layer. The process sees
// the stage's ENV plus its ARGs, Docker's default capabilities and seccomp
// profile, /etc/hosts and resolv.conf bind-mounted, and the RUN --mount's.
import { randomBytes } from "node:crypto";
import { chmod, chown, lstat, mkdir, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { InvalidArgumentError, isErrno, NotImplementedError } from "../errors.js";
import { renderHosts, renderResolvConf } from "../container/etc-files.js";
import { sha256Hex } from "../oci/digest.js";
import { runOnce } from "../runtime/run-once.js";
import { buildSpec } from "../runtime/spec.js";
import type { SpecMount, SpecOptions } from "../runtime/spec-options.js";
import { resolveUser } from "../runtime/user.js";
import { PROXY_ARGS, runArgs, stageLookup } from "./args.js";
import type { BuildRun, StageState } from "./build-run.js";
import type { InstructionOf, RunMount } from "./dockerfile/ast.js";
import { expandWord } from "./dockerfile/expand.js";
import { commandArgs } from "./meta-steps.js";
import { cachedStep, StepFailedError } from "./step.js";
import { nextConfig, topChain, type StepResult } from "./step-result.js";
import { openWorkRoot, type WorkRoot } from "./work-root.js";

export async function runStep(run: BuildRun, state: StageState, instr: InstructionOf<"RUN">): Promise<StepResult> {
  const args = runArgs(run, state);
  const command = withHeredocs(instr, state.shell);
  // The classic builder's history (and cache key) shows the build args a RUN saw: "|2 A=1 B=2 /bin/sh -c …".
  const shownArgs = args.filter(([k]) => !PROXY_ARGS.includes(k) || state.args.has(k));
  const createdBy = `${shownArgs.length ? `|${shownArgs.length} ${shownArgs.map(([k, v]) => `${k}=${v}`).join(" ")} ` : ""}${command.join(" ")}`;
  const lookup = stageLookup(run, state);
  const mounts = instr.mounts.map((m) => expandMount(m, (w) => expandWord(w, lookup, { escape: run.escape })));
  const network = instr.network ?? run.opts.network;
  const parent = state.result;
  return cachedStep(run, state, {
    cacheInput: `RUN ${createdBy}\n${JSON.stringify(mounts)}\n${network}`,
    description: `RUN ${command.join(" ")}`,
    execute: async () => {
      const { diffId, size } = await runInContainer(run, state, { command, env: args, mounts, network });
      return { config: nextConfig(parent, { createdBy, diffId }), size };
    },
  });
}

/** The argv a RUN runs: exec form as is; shell form through the stage's SHELL, heredoc bodies appended for the shell to read. */
function withHeredocs(instr: InstructionOf<"RUN">, shell: string[]): string[] {
  if (instr.command.form === "exec" || instr.heredocs.length === 0) return commandArgs(instr.command, shell);
  const text = instr.command.text.trim();
  const only = instr.heredocs[0]!;
  // `RUN <<EOF` alone: the body is the script.
  if (instr.heredocs.length === 1 && /^<<-?["']?[A-Za-z_][\w.-]*["']?$/.test(text)) return [...shell, only.content];
  const bodies = instr.heredocs.map((h) => `${h.content}${h.name}\n`).join("");
  return [...shell, `${instr.command.text}\n${bodies}`];
}

function expandMount(m: RunMount, expand: (word: string) => string): RunMount {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.fields)) fields[k] = expand(v);
  return { type: m.type, fields };
}

interface RunInput {
  command: string[];
  env: Array<[string, string]>;
  mounts: RunMount[];
  network: string;
}

async function runInContainer(run: BuildRun, state: StageState, input: RunInput): Promise<{ diffId: string; size: number }> {
  const { snapshotter, images } = run.deps;
  const parentChain = topChain(state.result);
  const root = await openWorkRoot(snapshotter, parentChain, { under: run.dir });
  const extra: WorkRoot[] = [];
  const id = root.key;
  const hostname = randomBytes(6).toString("hex");
  try {
    const config = state.result.config.config ?? {};
    const etc = path.join(run.dir, `${id}-etc`);
    await mkdir(etc, { recursive: true });
    const hostNetwork = input.network === "host";
    await writeFile(path.join(etc, "hostname"), `${hostname}\n`);
    await writeFile(
      path.join(etc, "hosts"),
      hostNetwork ? await readFile("/etc/hosts", "utf8").catch(() => "") : renderHosts({ hostname, extraHosts: run.opts.extraHosts }),
    );
    await writeFile(
      path.join(etc, "resolv.conf"),
      renderResolvConf(await readFile("/etc/resolv.conf", "utf8").catch(() => ""), { network: hostNetwork ? "host" : "none" }),
    );
    const bind = (dest: string, source: string, ro = false): SpecMount => ({
      destination: dest,
      type: "bind",
      source,
      options: ["rbind", "rprivate", ro ? "ro" : "rw"],
    });
    const specMounts: SpecMount[] = [
      bind("/etc/resolv.conf", path.join(etc, "resolv.conf")),
      bind("/etc/hostname", path.join(etc, "hostname")),
      bind("/etc/hosts", path.join(etc, "hosts")),
    ];
    for (const m of input.mounts) specMounts.push(await runMount(run, m, extra));

    const env = new Map<string, string>();
    for (const [k, v] of input.env) env.set(k, v);
    // PATH is there: every stage with steps carries it in its config (builder.ts).
    const envList = [...(config.Env ?? [])];
    for (const [k, v] of env) envList.push(`${k}=${v}`);
    const user = await resolveUser(root.dir, config.User ?? "");
    const created = await missingMountpoints(root.dir, ["/proc", "/sys", "/dev", ...specMounts.map((m) => m.destination)]);

    const opts: SpecOptions = {
      rootfs: root.dir,
      readonlyRootfs: false,
      args: input.command,
      env: envList,
      cwd: config.WorkingDir || "/",
      user: { uid: user.uid, gid: user.gid, additionalGids: [user.gid, ...user.additionalGids] },
      hostname,
      tty: false,
      network: hostNetwork ? { mode: "host" } : { mode: "none" },
      capAdd: [],
      capDrop: [],
      privileged: false,
      noNewPrivileges: false,
      resources: {
        ...(run.opts.resources.memory ? { memory: run.opts.resources.memory } : {}),
        ...(run.opts.resources.memorySwap ? { memorySwap: run.opts.resources.memorySwap } : {}),
        ...(run.opts.resources.cpuShares ? { cpuShares: run.opts.resources.cpuShares } : {}),
        ...(run.opts.resources.cpusetCpus ? { cpusetCpus: run.opts.resources.cpusetCpus } : {}),
        ...(run.opts.resources.cpuPeriod ? { cpuPeriod: run.opts.resources.cpuPeriod } : {}),
        ...(run.opts.resources.cpuQuota ? { cpuQuota: run.opts.resources.cpuQuota } : {}),
      },
      mounts: specMounts,
      cgroupsPath: `/berth/${id}`,
      ...(run.opts.resources.shmSize ? { shmSize: run.opts.resources.shmSize } : {}),
    };
    run.emit(` ---> Running in ${hostname}\n`);
    const code = await runOnce(run.deps.runc, id, {
      bundle: path.join(run.dir, `${id}-bundle`),
      spec: buildSpec(opts),
      onOutput: (chunk) => run.emit(chunk.toString("utf8")),
      signal: run.signal,
    });
    if (run.signal.aborted) throw run.signal.reason ?? new Error("build cancelled");
    if (code !== 0) {
      throw new StepFailedError(`The command '${input.command.join(" ")}' returned a non-zero code: ${code}`, code);
    }
    await root.unmount();
    await removeCreated(snapshotter.writableDir(id), created);
    run.emit(`Removing intermediate container ${hostname}\n`);
    return await images.build.addLayer(parentChain, snapshotter.diff(id), { lease: run.lease });
  } finally {
    for (const r of extra) await r.release().catch(() => undefined);
    await root.release();
    await rm(path.join(run.dir, `${id}-etc`), { recursive: true, force: true });
    await rm(path.join(run.dir, `${id}-bundle`), { recursive: true, force: true });
  }
}

/** RUN --mount: cache dirs kept across builds, binds of the context or another stage, tmpfs. */
async function runMount(run: BuildRun, m: RunMount, extra: WorkRoot[]): Promise<SpecMount> {
  const target = m.fields.target;
  if (!target) throw new InvalidArgumentError("mount target is required");
  const dest = path.posix.resolve("/", target);
  const ro = m.fields.readonly === "true";
  switch (m.type) {
    case "cache": {
      const id = m.fields.id ?? dest;
      const dir = path.join(run.deps.root, "cache-mounts", sha256Hex(id));
      await mkdir(dir, { recursive: true });
      const mode = m.fields.mode !== undefined ? parseInt(m.fields.mode, 8) : 0o755;
      await chmod(dir, mode);
      await chown(dir, Number(m.fields.uid ?? 0), Number(m.fields.gid ?? 0));
      return { destination: dest, type: "bind", source: dir, options: ["rbind", "rprivate", ro ? "ro" : "rw"] };
    }
    case "bind": {
      let base: string;
      const from = m.fields.from;
      if (from === undefined) base = await run.context.materialize();
      else {
        const index = run.stageNamed(from, Number.MAX_SAFE_INTEGER);
        const chain = index !== undefined ? topChain(await run.stage(index)) : (await run.deps.images.resolve(from)).chainIds.at(-1);
        const r = await openWorkRoot(run.deps.snapshotter, chain, { under: run.dir });
        extra.push(r);
        base = r.dir;
      }
      const source = path.join(base, path.posix.resolve("/", m.fields.source ?? "/"));
      const writable = m.fields.readwrite === "true";
      return { destination: dest, type: "bind", source, options: ["rbind", "rprivate", writable ? "rw" : "ro"] };
    }
    case "tmpfs":
      return {
        destination: dest,
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "nodev", ...(m.fields.size ? [`size=${m.fields.size}`] : [])],
      };
    default:
      throw new NotImplementedError(`RUN --mount=type=${m.type} is not supported by berth's builder`);
  }
}

/** Mount points runc will have to create (and their missing parents), shallowest first. */
async function missingMountpoints(rootfs: string, dests: string[]): Promise<string[]> {
  const missing = new Set<string>();
  for (const dest of dests) {
    const parts = dest.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join("/");
      try {
        await lstat(path.join(rootfs, rel));
      } catch (err) {
        if (!isErrno(err, "ENOENT")) throw err;
        missing.add(rel);
      }
    }
  }
  return [...missing].sort((a, b) => a.split("/").length - b.split("/").length);
}

/**
 * Removes the empty mount points runc made, so the layer holds only what the
 * command did (Docker keeps them in a separate init layer for the same reason).
 */
async function removeCreated(upper: string, created: string[]): Promise<void> {
  for (const rel of [...created].reverse()) {
    const p = path.join(upper, rel);
    try {
      const st = await lstat(p);
      if (st.isDirectory()) {
        if ((await readdir(p)).length === 0) await rmdir(p);
      } else if (st.isFile() && st.size === 0) await rm(p);
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
}
