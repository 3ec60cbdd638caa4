// The `publish`, `expose` and `volume` filters of GET /containers/json, as
// dockerd reads them: ports as "80", "80/udp" or "8000-8100/tcp" matched
// against the summary's Ports (published against PublicPort, exposed against
// PrivatePort); volumes by a mount's volume name (a bind's source) or its
// destination, exactly.
import type { MountPoint, Port } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";

/** "80/tcp" keys for every port the filter values name; dockerd's errors for the rest. */
export function portSet(key: "publish" | "expose", values: string[]): Set<string> {
  const out = new Set<string>();
  for (const value of values) {
    if (value.includes(":")) throw new InvalidArgumentError(`filter for '${key}' should not contain ':': ${value}`);
    const slash = value.indexOf("/");
    const port = slash < 0 ? value : value.slice(0, slash);
    const proto = slash < 0 ? "tcp" : value.slice(slash + 1).toLowerCase();
    const [start, end] = portRange(port, (why) => new InvalidArgumentError(`error while looking up for ${key} ${value}: ${why}`));
    for (let p = start; p <= end; p++) out.add(`${p}/${proto}`);
  }
  return out;
}

/** go-connections' ParsePortRange: "80" or "8000-8100", 16-bit, with strconv's wording. */
function portRange(text: string, error: (why: string) => Error): [number, number] {
  if (text === "") throw error("empty string specified for ports");
  const parts = text.split("-");
  const parse = (s: string): number => {
    if (!/^\d+$/.test(s)) throw error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
    const n = Number(s);
    if (n > 65535) throw error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
    return n;
  };
  const start = parse(parts[0]!);
  if (parts.length === 1) return [start, start];
  const end = parse(parts[1]!);
  if (end < start) throw error(`invalid range specified for port: ${text}`);
  return [start, end];
}

/** True when one of the container's ports is published (or exposed) as the filters ask. */
export function portsMatch(ports: Port[], filter: { publish: Set<string>; expose: Set<string> }): boolean {
  return ports.some((p) => filter.publish.has(`${p.PublicPort ?? 0}/${p.Type}`) || filter.expose.has(`${p.PrivatePort}/${p.Type}`));
}

/** A `volume=` value against a container's mounts: a volume's name, a bind's source, or any destination. */
export function volumeMatches(mounts: MountPoint[], values: string[]): boolean {
  return mounts.some((m) => values.includes(m.Name || m.Source || "") || (m.Destination !== undefined && m.Destination !== "" && values.includes(m.Destination)));
}
