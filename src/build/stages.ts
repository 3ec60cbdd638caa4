// Which stages a target needs: itself, and every stage it reaches through
// FROM <stage>, COPY --from=<stage> and RUN --mount=from=<stage>. The others
// are skipped, as BuildKit skips them. Names are expanded with the global
// ARGs only; a --from that needs a stage's own ARG is found when the step
// runs (the stage is then built on demand).
import type { Dockerfile } from "./dockerfile/ast.js";
import { expandWord } from "./dockerfile/expand.js";

export function neededStages(df: Dockerfile, target: number, globals: Map<string, string | undefined>): Set<number> {
  const lookup = (n: string): string | undefined => globals.get(n);
  const expand = (w: string): string => {
    try {
      return expandWord(w, lookup);
    } catch {
      return w; // reported when the step runs
    }
  };
  const indexOf = (ref: string, before: number): number | undefined => {
    const lower = ref.toLowerCase();
    const named = df.stages.find((s) => s.index < before && s.name === lower);
    if (named) return named.index;
    return /^\d+$/.test(ref) && Number(ref) < before ? Number(ref) : undefined;
  };
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    const stage = df.stages[i]!;
    const deps: string[] = [expand(stage.from.image)];
    for (const instr of stage.instructions) {
      if ((instr.kind === "COPY" || instr.kind === "ADD") && instr.from !== undefined) deps.push(expand(instr.from));
      if (instr.kind === "RUN") for (const m of instr.mounts) if (m.fields.from !== undefined) deps.push(expand(m.fields.from));
    }
    for (const d of deps) {
      const j = indexOf(d, i);
      if (j !== undefined) visit(j);
    }
  };
  visit(target);
  return needed;
}
