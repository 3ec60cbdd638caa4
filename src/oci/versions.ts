// Docker's dotted API versions, compared as dockerd compares them. Here, below
// both the API edge and the client, so the two peers share one comparison.

/** Compares dotted versions numerically ("1.9" < "1.10"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}
