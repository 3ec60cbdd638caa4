// Docker's prompt before a prune: the question, " [y/N] ", and a yes only for
// "y" or "Y"; no answer (stdin at EOF) is a no.
import { createInterface } from "node:readline";
import type { CliContext } from "./context.js";

export async function confirm(question: string, ctx: CliContext): Promise<boolean> {
  ctx.out(`${question} [y/N] `);
  const rl = createInterface({ input: process.stdin });
  try {
    for await (const line of rl) return line.trim().toLowerCase() === "y";
    return false;
  } finally {
    rl.close();
  }
}
