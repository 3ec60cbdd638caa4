// WORKDIR: sets the working directory and, when it does not exist in the
// parent, adds a layer that creates it (as BuildKit does; the classic
// builder commits a layer either way).
import path from "node:path";
import { Readable } from "node:stream";
import { InvalidArgumentError } from "../errors.js";
import { encodeHeader, tarTrailer } from "../archive/tar-write.js";
import { stageLookup } from "./args.js";
import type { BuildRun, StageState } from "./build-run.js";
import type { InstructionOf } from "./dockerfile/ast.js";
import { expandWord } from "./dockerfile/expand.js";
import { cachedStep } from "./step.js";
import { nextConfig, topChain, type StepResult } from "./step-result.js";
import { openWorkRoot, rootViewOf } from "./work-root.js";

export async function workdirStep(run: BuildRun, state: StageState, instr: InstructionOf<"WORKDIR">): Promise<StepResult> {
  const given = expandWord(instr.path, stageLookup(run, state), { escape: run.escape });
  if (given === "") throw new InvalidArgumentError("WORKDIR requires exactly one argument");
  const dir = path.posix.resolve(state.result.config.config?.WorkingDir || "/", given);
  const createdBy = `${state.shell.join(" ")} #(nop) WORKDIR ${dir}`;
  const parent = state.result;
  return cachedStep(run, state, {
    cacheInput: createdBy,
    description: `WORKDIR ${dir}`,
    execute: async () => {
      const change = (c: { WorkingDir?: string }): void => void (c.WorkingDir = dir);
      const chain = topChain(parent);
      const root = await openWorkRoot(run.deps.snapshotter, chain, { under: run.dir });
      try {
        const view = rootViewOf(root.dir);
        const target = await view.resolve(dir);
        if (target.stat?.type === "dir") return { config: nextConfig(parent, { createdBy, change }) };
        if (target.stat) throw new InvalidArgumentError(`mkdir ${dir}: not a directory`);
        // Each component: as it is in the image when it exists, else a new 0755 root directory.
        const headers: Buffer[] = [];
        const parts = target.path.split("/").filter(Boolean);
        const now = Math.floor(Date.now() / 1000);
        for (let i = 1; i <= parts.length; i++) {
          const p = `/${parts.slice(0, i).join("/")}`;
          const st = (await view.resolve(p)).stat;
          if (st && st.type !== "dir") throw new InvalidArgumentError(`mkdir ${p}: not a directory`);
          headers.push(
            encodeHeader({
              name: `${parts.slice(0, i).join("/")}/`,
              type: "dir",
              mode: st ? st.mode : 0o755,
              uid: st ? st.uid : 0,
              gid: st ? st.gid : 0,
              size: 0,
              mtime: st ? Math.floor(st.mtimeMs / 1000) : now,
            }),
          );
        }
        const tar = Readable.from([...headers, tarTrailer]);
        const { diffId, size } = await run.deps.images.build.addLayer(chain, tar, { lease: run.lease });
        return { config: nextConfig(parent, { createdBy, diffId, change }), size };
      } finally {
        await root.release();
      }
    },
  });
}
