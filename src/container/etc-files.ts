// The three files Docker bind-mounts into every container: /etc/hostname,
// /etc/hosts and /etc/resolv.conf. They live beside the container's record
// (<root>/<id>/) so they survive restarts and the host can edit them; the
// render functions are pure so the exact text is unit-tested.
import { readFileSync, writeFileSync } from "node:fs";
import { isErrno } from "../errors.js";
import { writeFileAtomic } from "../runtime/write-file-atomic.js";

/** The files are bind-mounted into the container, where any user must be able to read them. */
const READABLE = 0o644;

const defaultHosts = [
  ["127.0.0.1", "localhost"],
  ["::1", "localhost ip6-localhost ip6-loopback"],
  ["fe00::0", "ip6-localnet"],
  ["ff00::0", "ip6-mcastprefix"],
  ["ff02::1", "ip6-allnodes"],
  ["ff02::2", "ip6-allrouters"],
];

export interface HostsOptions {
  hostname: string;
  domainname?: string;
  /** The container's own address, when its network gives it one. */
  ip?: string;
  /** Docker's ExtraHosts: "name:ip" (the IP may itself contain colons). */
  extraHosts?: string[];
}

export function renderHosts(opts: HostsOptions): string {
  const lines = defaultHosts.map(([ip, names]) => `${ip}\t${names}`);
  for (const entry of opts.extraHosts ?? []) {
    const sep = entry.indexOf(":");
    if (sep <= 0) continue;
    lines.push(`${entry.slice(sep + 1)}\t${entry.slice(0, sep)}`);
  }
  if (opts.ip) {
    const names = opts.domainname ? `${opts.hostname}.${opts.domainname} ${opts.hostname}` : opts.hostname;
    lines.push(`${opts.ip}\t${names}`);
  }
  return lines.join("\n") + "\n";
}

export interface ResolvOptions {
  /** "host" keeps the host's file as is; anything else drops nameservers the container cannot reach. */
  network: "host" | "none" | "bridge";
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /**
   * The DNS server of the user-defined network the container is on (Docker's
   * 127.0.0.11): the only nameserver, with the host's search and options and
   * `ndots:0` as Docker writes them. --dns servers are not listed: that server
   * forwards to them, so a resolver trying servers in turn never bypasses the
   * container names.
   */
  embeddedDns?: string;
}

/** Docker's fallback when the host's nameservers are all unreachable from the container. */
export const fallbackNameservers = ["8.8.8.8", "8.8.4.4"];

const keyOf = (line: string) => line.trim().split(/\s+/)[0];

export function renderResolvConf(hostFile: string, opts: ResolvOptions): string {
  if (opts.embeddedDns) return renderEmbeddedResolvConf(hostFile, opts.embeddedDns, opts);
  let lines = hostFile.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const replace = (key: string, values: string[] | undefined, render: (v: string[]) => string[]) => {
    if (!values || values.length === 0) return;
    lines = lines.filter((l) => keyOf(l) !== key);
    lines.push(...render(values));
  };

  replace("nameserver", opts.dns, (v) => v.map((ns) => `nameserver ${ns}`));
  replace("search", opts.dnsSearch, (v) => [`search ${v.join(" ")}`]);
  replace("options", opts.dnsOptions, (v) => [`options ${v.join(" ")}`]);

  if (opts.network !== "host" && !opts.dns?.length) {
    // A loopback resolver of the host (systemd-resolved, dnsmasq) is not
    // reachable from another network namespace; the container has no IPv6.
    lines = lines.filter((l) => {
      if (keyOf(l) !== "nameserver") return true;
      const addr = l.trim().split(/\s+/)[1] ?? "";
      return !(addr.startsWith("127.") || addr.includes(":"));
    });
    if (!lines.some((l) => keyOf(l) === "nameserver")) {
      lines.push(...fallbackNameservers.map((ns) => `nameserver ${ns}`));
    }
  }
  return lines.join("\n") + "\n";
}

function renderEmbeddedResolvConf(hostFile: string, server: string, opts: ResolvOptions): string {
  const hostValues = (key: string) =>
    hostFile
      .split("\n")
      .filter((l) => keyOf(l) === key)
      .flatMap((l) => l.trim().split(/\s+/).slice(1));
  const search = opts.dnsSearch?.length ? opts.dnsSearch : hostValues("search");
  const options = opts.dnsOptions?.length ? [...opts.dnsOptions] : hostValues("options");
  // Docker's default for its embedded DNS: every name is tried as given first.
  if (!options.some((o) => o.startsWith("ndots:"))) options.push("ndots:0");
  const lines = [
    ...(search.length ? [`search ${search.join(" ")}`] : []),
    `nameserver ${server}`,
    `options ${options.join(" ")}`,
  ];
  return lines.join("\n") + "\n";
}

export interface EtcPaths {
  hostname: string;
  hosts: string;
  resolvConf: string;
}

export async function writeEtcFiles(
  paths: EtcPaths,
  opts: { hostname: string; hosts: HostsOptions; resolv: ResolvOptions; hostHostsFile?: boolean },
): Promise<void> {
  const hostResolv = readHostFile("/etc/resolv.conf");
  // With the host's network the container sees the host's names, as in Docker.
  const hosts = opts.hostHostsFile ? readHostFile("/etc/hosts") : renderHosts(opts.hosts);
  // Written afresh at every start, so a crash can cost nothing that matters: no fsync.
  const write = { mode: READABLE, durable: false };
  await Promise.all([
    writeFileAtomic(paths.hostname, `${opts.hostname}\n`, write),
    writeFileAtomic(paths.hosts, hosts, write),
    writeFileAtomic(paths.resolvConf, renderResolvConf(hostResolv, opts.resolv), write),
  ]);
}

/**
 * Rewrites a running container's resolv.conf in place, as dockerd does when
 * the container joins its first user-defined network: the file is
 * bind-mounted, and a renamed-in replacement would not be what the container sees.
 */
export function rewriteResolvConf(path: string, opts: ResolvOptions): void {
  writeFileSync(path, renderResolvConf(readHostFile("/etc/resolv.conf"), opts));
}

/** Synchronous: a small local file, cheaper to read than to hand to libuv's pool. */
function readHostFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if (isErrno(err, "ENOENT")) return "";
    throw err;
  }
}
