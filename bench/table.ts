// The engine benchmark's report: one line per figure, with the anchor it is
// compared to, the ratio (lower is better for berth) and the target.

export interface Row {
  /** Starts a new group of figures. */
  section?: string;
  label?: string;
  value?: string;
  /** The anchor, e.g. "0.224 s" for docker → dockerd. */
  ref?: string;
  /** value / anchor: time or memory, so below 1 means berth is better. */
  ratio?: number;
  /** The bound on ratio. */
  target?: number;
}

export function printTable(rows: Row[], notes: string[]): void {
  const w = Math.max(20, ...rows.map((r) => r.label?.length ?? 0));
  const refW = Math.max(12, ...rows.map((r) => r.ref?.length ?? 0));
  const line = (a: string, b: string, c: string, d: string, e: string): string =>
    `  ${a.padEnd(w)}  ${b.padStart(9)}  ${c.padEnd(refW)}  ${d.padStart(7)}  ${e}`.trimEnd();
  const out: string[] = [line("", "berth", "anchor", "ratio", "target")];
  for (const r of rows) {
    if (r.section) {
      out.push(r.section);
      continue;
    }
    const ratio = r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`;
    const target = r.target === undefined || r.ratio === undefined ? "" : `${r.ratio <= r.target ? "meets" : "misses"} ≤ ${r.target.toFixed(2)}×`;
    out.push(line(r.label ?? "", r.value ?? "", r.ref ?? "", ratio, target));
  }
  console.log(out.join("\n"));
  for (const n of notes) console.log(`note: ${n}`);
}
