// The DNS server berthd runs on a user-defined network's gateway address:
// A (and PTR) answers for the containers attached to that network, everything
// else forwarded: to the asking container's --dns servers when it has some,
// else to the host's resolvers (Docker's embedded DNS does the same, which is
// why a container's resolv.conf names only this server). One UDP (and TCP) listener per
// network; the names come from a live table, so attach/detach need no restart.
//
// Implementation: dns-server-impl.ts (written by the DNS work); this file is the contract.

export interface NameTable {
  /** IPv4 addresses for a name (case-insensitive, without the trailing dot); empty when unknown here. */
  lookup(name: string): string[];
  /** The name for an IPv4 address on this network, for PTR queries. */
  reverse(ip: string): string | undefined;
  /**
   * Where names not in the table go for a request from this address: the
   * container's own --dns servers, or undefined for the server's default
   * upstreams. Absent: every client gets the defaults.
   */
  upstreamsFor?(clientIp: string): Upstream[] | undefined;
}

export interface Upstream {
  host: string;
  port: number;
}

export interface DnsServerOptions {
  /** The address to listen on (the network's gateway). */
  address: string;
  /** 53 unless a test says otherwise; 0 picks a free port (the same for UDP and TCP), reported by DnsServer.port. */
  port?: number;
  names: NameTable;
  /** Where unknown names go unless names.upstreamsFor() says otherwise; read from the host's /etc/resolv.conf by default. */
  upstreams: Upstream[];
  /** How long one upstream may take before the next is asked (4000 ms, as Docker's resolver); tests shorten it. */
  forwardTimeoutMs?: number;
  log?: (level: "debug" | "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
}

export interface DnsServer {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}
