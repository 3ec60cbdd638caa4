// What `network ls --format` offers per network (Docker's networkContext) and
// the Go types `network inspect -f` templates see (types.NetworkResource).
import type { Network } from "../../api/types/index.js";
import { goTime, truncateId } from "../format/container-context.js";
import type { ListFormat } from "../format/render.js";

export const NETWORK_FORMAT: ListFormat = {
  defaultTable: "{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}",
  typeName: "*network.networkContext",
  headers: {
    CreatedAt: "CREATED AT",
    Driver: "DRIVER",
    ID: "NETWORK ID",
    IPv4: "IPV4",
    IPv6: "IPV6",
    Internal: "INTERNAL",
    // Docker heads a label's column with the label's name.
    Label: (name: unknown) => String(name),
    Labels: "LABELS",
    Name: "NAME",
    Scope: "SCOPE",
  },
};

/** Keys in sorted order: `{{json .}}` prints them that way in Docker. */
export function networkContext(n: Network, opts: { trunc: boolean }): Record<string, unknown> {
  const labels = n.Labels ?? {};
  return {
    CreatedAt: n.Created ? goTimeNano(n.Created) : "",
    Driver: n.Driver ?? "",
    ID: opts.trunc ? truncateId(n.Id ?? "") : (n.Id ?? ""),
    // API 1.45 has no EnableIPv4, so the docker CLI (28) shows "false" for every network.
    IPv4: "false",
    IPv6: String(n.EnableIPv6 ?? false),
    Internal: String(n.Internal ?? false),
    Label: (name: unknown) => labels[String(name)] ?? "",
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(","),
    Name: n.Name ?? "",
    Scope: n.Scope ?? "",
  };
}

/** Go's time.Time.String() of an RFC 3339 timestamp: local time, with the fraction when there is one. */
export function goTimeNano(rfc3339: string): string {
  const ms = Date.parse(rfc3339);
  if (Number.isNaN(ms)) return rfc3339;
  const fraction = (/\.(\d+)/.exec(rfc3339)?.[1] ?? "").replace(/0+$/, "");
  const text = goTime(Math.floor(ms / 1000));
  // "2024-05-01 10:00:00 +0200 CEST": the fraction goes after the seconds.
  return fraction ? text.replace(/^(\S+ \d\d:\d\d:\d\d)/, `$1.${fraction}`) : text;
}

/** Natural order (sortorder.NaturalLess): digit runs compare as numbers, so net2 sorts before net10. */
export function naturalLess(a: string, b: string): boolean {
  const chunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];
  const ca = chunks(a);
  const cb = chunks(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const [x, y] = [ca[i], cb[i]];
    if (x === y) continue;
    const digits = /^\d/.test(x) && /^\d/.test(y);
    if (digits) {
      const [nx, ny] = [BigInt(x), BigInt(y)];
      if (nx !== ny) return nx < ny;
      // Equal values: the one with fewer leading zeros first.
      return x.length < y.length;
    }
    return x < y;
  }
  return ca.length < cb.length;
}
