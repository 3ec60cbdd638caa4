// Which URL a registry host is spoken to at, and with which TLS settings, as
// dockerd decides it: https everywhere; for an insecure registry (listed by
// host:port or CIDR, or a loopback address) https without certificate
// verification first, then plain http. Per-registry CAs and client
// certificates come from <certsDir>/<host[:port]>/ (Docker's certs.d layout:
// *.crt are CAs added to the system's, a *.cert needs its *.key).
import { promises as dns } from "node:dns";
import { promises as fs } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { InvalidArgumentError, isErrno } from "../errors.js";
import { DEFAULT_DOMAIN } from "../oci/reference.js";

const DOCKER_HUB_HOST = "registry-1.docker.io";
// Always insecure, whatever the daemon's configuration says.
const LOOPBACK_CIDRS = ["127.0.0.0/8", "::1/128"];

/** The host requests go to for a reference's domain ("docker.io" → "registry-1.docker.io"). */
export function registryHost(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === "index.docker.io" ? DOCKER_HUB_HOST : domain;
}

/** "host:port" → "host"; "[::1]:5000" → "::1". */
export function hostname(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  return net.isIPv6(host) ? host : host.replace(/:\d+$/, "");
}

/** True when the host is reached over plain http (after https fails), as `insecure-registries` or loopback allow. */
export async function isInsecureRegistry(host: string, insecureRegistries: readonly string[]): Promise<boolean> {
  if (insecureRegistries.includes(host)) return true;
  const name = hostname(host);
  if (name === "localhost") return true;
  const blocks = new net.BlockList();
  for (const cidr of [...LOOPBACK_CIDRS, ...insecureRegistries.filter((r) => r.includes("/"))]) {
    const [addr, prefix] = cidr.split("/") as [string, string];
    const family = net.isIPv6(addr) ? "ipv6" : net.isIPv4(addr) ? "ipv4" : undefined;
    if (family && /^\d+$/.test(prefix)) blocks.addSubnet(addr, Number(prefix), family);
  }
  const addresses = net.isIP(name) ? [{ address: name, family: net.isIP(name) }] : await lookupAll(name);
  return addresses.some((a) => blocks.check(a.address, a.family === 6 ? "ipv6" : "ipv4"));
}

async function lookupAll(name: string): Promise<{ address: string; family: number }[]> {
  try {
    return await dns.lookup(name, { all: true });
  } catch (err) {
    // An unresolvable name is not insecure; the request itself will report it.
    if (isErrno(err, "ENOTFOUND") || isErrno(err, "EAI_AGAIN")) return [];
    throw err;
  }
}

export interface TlsFiles {
  /** Extra CAs; empty when the registry has no certs.d directory. */
  ca: Buffer[];
  cert?: Buffer;
  key?: Buffer;
}

/** Reads <certsDir>/<host>/ the way Docker's ReadCertsDirectory does. */
export async function readCertsDir(certsDir: string, host: string): Promise<TlsFiles> {
  const out: TlsFiles = { ca: [] };
  // The host names a directory: it must not climb out of certsDir.
  if (host === "" || host === "." || host === ".." || host.includes("/") || host.includes("\\")) return out;
  const dir = path.join(certsDir, host);
  let names: string[];
  try {
    names = (await fs.readdir(dir)).sort();
  } catch (err) {
    if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return out;
    throw err;
  }
  for (const name of names) {
    if (name.endsWith(".crt")) out.ca.push(await fs.readFile(path.join(dir, name)));
    else if (name.endsWith(".cert")) {
      const key = `${name.slice(0, -".cert".length)}.key`;
      if (!names.includes(key)) {
        throw new InvalidArgumentError(
          `missing key ${key} for client certificate ${name}. CA certificates must use the extension .crt`,
        );
      }
      if (out.cert === undefined) {
        out.cert = await fs.readFile(path.join(dir, name));
        out.key = await fs.readFile(path.join(dir, key));
      }
    } else if (name.endsWith(".key")) {
      const cert = `${name.slice(0, -".key".length)}.cert`;
      if (!names.includes(cert)) throw new InvalidArgumentError(`missing client certificate ${cert} for key ${name}`);
    }
  }
  return out;
}

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

const agents = new Map<string, Promise<Agents>>();

/**
 * Keep-alive agents for one registry, shared by every client of it (a pull's
 * layers reuse connections). Token realms and redirect targets go through the
 * same agents, as Docker's transport does: the registry's CA applies there too.
 */
export function agentsFor(host: string, opts: { certsDir: string; insecure: boolean }): Promise<Agents> {
  const key = JSON.stringify([host, opts.certsDir, opts.insecure]);
  let found = agents.get(key);
  if (!found) {
    found = createAgents(host, opts);
    agents.set(key, found);
    found.catch(() => agents.delete(key));
  }
  return found;
}

async function createAgents(host: string, opts: { certsDir: string; insecure: boolean }): Promise<Agents> {
  // Docker Hub is always spoken to with the system's roots, as dockerd does.
  const files = host === DOCKER_HUB_HOST ? { ca: [] } : await readCertsDir(opts.certsDir, host);
  const httpsOptions: https.AgentOptions = { keepAlive: true, rejectUnauthorized: !opts.insecure };
  // Node's `ca` replaces the system roots; Docker adds to them.
  if (files.ca.length > 0) httpsOptions.ca = [...tls.rootCertificates, ...files.ca.map((b) => b.toString("utf8"))];
  if (files.cert && files.key) {
    httpsOptions.cert = files.cert;
    httpsOptions.key = files.key;
  }
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent(httpsOptions) };
}

/** Where to try a registry, in order: https, then (insecure only) http. */
export function endpointCandidates(host: string, insecure: boolean): URL[] {
  const https = new URL(`https://${host}/`);
  return insecure ? [https, new URL(`http://${host}/`)] : [https];
}
