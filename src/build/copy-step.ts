// COPY and ADD: the files the sources name — from the context, another
// stage or image (--from), a heredoc, or a URL (ADD) — become one layer,
// made as a tar straight from the source and unpacked once. The cache key
// holds the checksum of those files, so an unchanged COPY costs no file read.
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { BerthError, InvalidArgumentError, NotImplementedError } from "../errors.js";
import { digestHex } from "../oci/digest.js";
import { resolveUser } from "../runtime/user.js";
import { stageLookup } from "./args.js";
import type { BuildRun, StageState } from "./build-run.js";
import type { CopyPlan, Selection, SourceTree } from "./context/build-context.js";
import { copyLayer } from "./context/copy-layer.js";
import { fetchRemote } from "./context/fetch-remote.js";
import { createFsTree } from "./context/fs-tree.js";
import { createMemoryTree } from "./context/memory-tree.js";
import type { InstructionOf } from "./dockerfile/ast.js";
import { expandWord } from "./dockerfile/expand.js";
import { cachedStep } from "./step.js";
import { nextConfig, topChain, type StepResult } from "./step-result.js";
import { openWorkRoot, rootViewOf, type WorkRoot } from "./work-root.js";

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

export async function copyStep(run: BuildRun, state: StageState, instr: InstructionOf<"COPY" | "ADD">): Promise<StepResult> {
  const expand = (w: string): string => expandWord(w, stageLookup(run, state), { escape: run.escape });
  const heredocNames = new Set(instr.heredocs.map((h) => h.name));
  const isHeredocWord = (w: string): boolean => heredocNames.has(w.replace(/^<<-?/, "").replace(/^["']|["']$/g, ""));
  const sources = instr.sources.map((w) => (isHeredocWord(w) ? w.replace(/^<<-?/, "").replace(/^["']|["']$/g, "") : expand(w)));
  const dest = expand(instr.dest);
  const from = instr.from !== undefined ? expand(instr.from) : undefined;
  const chown = instr.chown !== undefined ? expand(instr.chown) : undefined;
  const chmod = instr.chmod !== undefined ? parseChmod(expand(instr.chmod)) : undefined;
  const exclude = instr.exclude.map(expand);
  const workdir = state.result.config.config?.WorkingDir || "/";
  const joined = dest.startsWith("/") ? dest : path.posix.join(workdir, dest);
  const wantsDir = dest.endsWith("/") || dest === "." || dest.endsWith("/.");
  const destAbs = wantsDir && !joined.endsWith("/") ? `${joined}/` : joined;

  const opened: WorkRoot[] = [];
  try {
    const { tree, treeId } = await sourceTree(run, instr, { sources, from, opened });
    const selection = await tree
      .select(
        sources.map((s) => (isUrl(s) ? path.posix.basename(new URL(s).pathname) : s)),
        exclude.length ? { exclude } : {},
      )
      .catch((err: unknown) => {
        // The classic builder's wording: "COPY failed: file not found in build context …".
        if (err instanceof BerthError) err.message = `${instr.kind} failed: ${err.message}`;
        throw err;
      });
    const sum = treeId !== undefined ? `${treeId}:${sources.join(",")}` : await tree.checksum(selection);
    const kind = selection.items.length > 1 ? "multi" : selection.items[0]?.entry.type === "dir" ? "dir" : "file";
    const createdBy = `${state.shell.join(" ")} #(nop) ${instr.kind} ${kind}:${digestHex(sum.startsWith("sha256:") ? sum : `sha256:${sum}`)} in ${destAbs} `;
    const flags = JSON.stringify({ chown, chmod, exclude, from: from !== undefined });
    const parent = state.result;
    return await cachedStep(run, state, {
      cacheInput: `${createdBy}\n${flags}`,
      description: `${instr.kind} ${sources.join(" ")} ${destAbs}`,
      execute: async () => {
        const { diffId, size } = await addCopyLayer(run, parent, {
          tree,
          selection,
          plan: {
            dest: destAbs,
            ...(chmod !== undefined ? { chmod } : {}),
            extractArchives: instr.kind === "ADD" && !sources.some(isUrl),
            keepOwners: from !== undefined,
          },
          chown,
        });
        return { config: nextConfig(parent, { createdBy, diffId }), size };
      },
    });
  } finally {
    for (const r of opened) await r.release().catch(() => undefined);
  }
}

async function sourceTree(
  run: BuildRun,
  instr: InstructionOf<"COPY" | "ADD">,
  opts: { sources: string[]; from: string | undefined; opened: WorkRoot[] },
): Promise<{ tree: SourceTree; treeId?: string }> {
  if (instr.heredocs.length > 0) {
    // Heredoc bodies are taken as written (variables in them are not expanded by berth).
    return { tree: createMemoryTree(instr.heredocs.map((h) => ({ name: h.name, content: Buffer.from(h.content) }))) };
  }
  if (opts.from !== undefined) {
    const index = run.stageNamed(opts.from, Number.MAX_SAFE_INTEGER);
    let chain: string | undefined;
    let treeId: string;
    if (index !== undefined) {
      const result = await run.stage(index);
      chain = topChain(result);
      treeId = result.id;
    } else {
      const image = await run.deps.images.resolve(opts.from);
      chain = image.chainIds.at(-1);
      treeId = image.id;
    }
    const root = await openWorkRoot(run.deps.snapshotter, chain, { under: run.dir });
    opts.opened.push(root);
    return { tree: createFsTree(root.dir), treeId };
  }
  const urls = opts.sources.filter(isUrl);
  if (urls.length > 0) {
    if (instr.kind !== "ADD") throw new InvalidArgumentError("source can't be a URL for COPY");
    if (urls.length !== opts.sources.length || urls.length > 1) {
      throw new NotImplementedError("berth's ADD takes one URL per instruction, without local sources beside it");
    }
    const dir = await mkdtemp(path.join(run.dir, "add-"));
    const tree = await fetchRemote(urls[0]!, {
      dir,
      ...(instr.checksum !== undefined ? { checksum: instr.checksum } : {}),
      signal: run.signal,
    });
    return { tree };
  }
  if (instr.checksum !== undefined) throw new InvalidArgumentError("checksum can't be specified for non-HTTP(S) sources");
  return { tree: run.context };
}

async function addCopyLayer(
  run: BuildRun,
  parent: StepResult,
  opts: { tree: SourceTree; selection: Selection; plan: CopyPlan; chown: string | undefined },
): Promise<{ diffId: string; size: number }> {
  const chain = topChain(parent);
  const root = await openWorkRoot(run.deps.snapshotter, chain, { under: run.dir });
  try {
    const plan: CopyPlan = { ...opts.plan };
    if (opts.chown !== undefined) {
      const user = await resolveUser(root.dir, opts.chown);
      plan.chown = { uid: user.uid, gid: user.gid };
    }
    const tar = await copyLayer(opts.tree, opts.selection, plan, rootViewOf(root.dir));
    return await run.deps.images.build.addLayer(chain, tar, { lease: run.lease });
  } finally {
    await root.release();
  }
}

function parseChmod(s: string): number {
  if (!/^[0-7]{3,4}$/.test(s)) throw new InvalidArgumentError(`invalid chmod parameter: ${s}`);
  return parseInt(s, 8);
}

