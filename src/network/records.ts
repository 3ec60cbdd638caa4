// The network metadata in SQLite: networks, sandboxes (one netns per
// container), endpoints (with the exact CNI config used for ADD, so a DEL after
// a restart sends the same), address allocations and published ports. The
// tables are created here rather than in store/db.ts's migrations so the
// network service stays one self-contained concept; every statement is
// idempotent (IF NOT EXISTS; a column added later is added when missing).
//
// Intent comes first: a sandbox row before its netns exists, an endpoint row
// (with its address and config) before CNI ADD, so that reconcile finds
// everything a crash could leave half-made.
import type { DB } from "../store/db.js";
import type { NetworkRecord } from "./network-service.js";
import type { PortMapping, Protocol } from "./ports.js";

const schema = `
  CREATE TABLE IF NOT EXISTS networks (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    driver TEXT NOT NULL,
    bridge_name TEXT,
    bridge_created INTEGER NOT NULL DEFAULT 0,
    subnet TEXT,
    gateway TEXT,
    ip_range TEXT,
    user_ipam INTEGER NOT NULL DEFAULT 0,
    gateway_chosen INTEGER NOT NULL DEFAULT 0,
    internal INTEGER NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '{}',
    options TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS network_sandboxes (
    container_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hostname TEXT NOT NULL,
    netns_path TEXT NOT NULL,
    dns TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE IF NOT EXISTS network_endpoints (
    endpoint_id TEXT PRIMARY KEY,
    container_id TEXT NOT NULL REFERENCES network_sandboxes(container_id),
    network_id TEXT NOT NULL REFERENCES networks(id),
    ifname TEXT NOT NULL,
    ip TEXT NOT NULL,
    prefix_len INTEGER NOT NULL,
    gateway TEXT NOT NULL,
    mac TEXT NOT NULL DEFAULT '',
    aliases TEXT NOT NULL DEFAULT '[]',
    conf TEXT NOT NULL,
    result TEXT,
    UNIQUE (container_id, network_id)
  );
  CREATE TABLE IF NOT EXISTS network_ips (
    network_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    container_id TEXT NOT NULL,
    PRIMARY KEY (network_id, ip)
  );
  CREATE TABLE IF NOT EXISTS network_ports (
    host_ip TEXT NOT NULL,
    host_port INTEGER NOT NULL,
    proto TEXT NOT NULL,
    container_port INTEGER NOT NULL,
    container_id TEXT NOT NULL,
    PRIMARY KEY (host_ip, host_port, proto)
  );
`;

/** A network as stored: the shared record plus what only this service needs. */
export interface NetworkRow extends NetworkRecord {
  /** berth made the bridge device (so berth may delete it). */
  bridgeCreated: boolean;
  /** The subnet came from the user (--subnet), which --ip requires. */
  userIpam: boolean;
  /** berth picked the gateway of the user's subnet (no --gateway): inspect does not show it, as dockerd. */
  gatewayChosen?: boolean;
}

export interface SandboxRow {
  containerId: string;
  name: string;
  hostname: string;
  netnsPath: string;
  /** The container's --dns servers, where the networks' DNS servers forward the names it asks for (none: the host's resolvers). */
  dns: string[];
}

interface SandboxSql {
  container_id: string;
  name: string;
  hostname: string;
  netns_path: string;
  dns: string;
}

const sandboxOf = (r: SandboxSql): SandboxRow => ({
  containerId: r.container_id,
  name: r.name,
  hostname: r.hostname,
  netnsPath: r.netns_path,
  dns: JSON.parse(r.dns) as string[],
});

/** Columns added after a table was first released, created on databases that predate them. */
function addMissingColumns(db: DB): void {
  const has = (table: string, column: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === column);
  if (!has("network_sandboxes", "dns")) db.exec("ALTER TABLE network_sandboxes ADD COLUMN dns TEXT NOT NULL DEFAULT '[]'");
  if (!has("networks", "gateway_chosen")) db.exec("ALTER TABLE networks ADD COLUMN gateway_chosen INTEGER NOT NULL DEFAULT 0");
}

export interface EndpointRow {
  endpointId: string;
  containerId: string;
  networkId: string;
  ifname: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
  /** The CNI network config list of ADD (JSON). */
  conf: string;
  /** The final CNI result of ADD (JSON); undefined until ADD succeeded. */
  result?: string;
}

interface NetworkSql {
  id: string;
  name: string;
  driver: string;
  bridge_name: string | null;
  bridge_created: number;
  subnet: string | null;
  gateway: string | null;
  ip_range: string | null;
  user_ipam: number;
  gateway_chosen: number;
  internal: number;
  labels: string;
  options: string;
  created: string;
}

interface EndpointSql {
  endpoint_id: string;
  container_id: string;
  network_id: string;
  ifname: string;
  ip: string;
  prefix_len: number;
  gateway: string;
  mac: string;
  aliases: string;
  conf: string;
  result: string | null;
}

function networkOf(r: NetworkSql): NetworkRow {
  return {
    id: r.id,
    name: r.name,
    driver: r.driver as NetworkRow["driver"],
    ...(r.bridge_name ? { bridgeName: r.bridge_name } : {}),
    ...(r.subnet ? { subnet: r.subnet } : {}),
    ...(r.gateway ? { gateway: r.gateway } : {}),
    ...(r.ip_range ? { ipRange: r.ip_range } : {}),
    internal: r.internal === 1,
    labels: JSON.parse(r.labels) as Record<string, string>,
    options: JSON.parse(r.options) as Record<string, string>,
    created: r.created,
    bridgeCreated: r.bridge_created === 1,
    userIpam: r.user_ipam === 1,
    ...(r.gateway_chosen === 1 ? { gatewayChosen: true } : {}),
  };
}

function endpointOf(r: EndpointSql): EndpointRow {
  return {
    endpointId: r.endpoint_id,
    containerId: r.container_id,
    networkId: r.network_id,
    ifname: r.ifname,
    ip: r.ip,
    prefixLen: r.prefix_len,
    gateway: r.gateway,
    mac: r.mac,
    aliases: JSON.parse(r.aliases) as string[],
    conf: r.conf,
    ...(r.result ? { result: r.result } : {}),
  };
}

export interface NetworkRecords {
  networks(): NetworkRow[];
  network(id: string): NetworkRow | undefined;
  byName(name: string): NetworkRow | undefined;
  insertNetwork(n: NetworkRow): void;
  /** Updates the fields that change after creation: subnet and gateway of the default bridge, the bridge flag. */
  updateNetwork(n: NetworkRow): void;
  deleteNetwork(id: string): void;

  sandboxes(): SandboxRow[];
  sandbox(containerId: string): SandboxRow | undefined;
  insertSandbox(s: SandboxRow): void;
  /** The sandbox with everything of it: endpoints, addresses, ports. */
  deleteSandbox(containerId: string): void;

  endpoints(): EndpointRow[];
  endpointsOf(containerId: string): EndpointRow[];
  endpointsOn(networkId: string): EndpointRow[];
  /** Records an endpoint and its address in one transaction; false when the address is taken. */
  insertEndpoint(e: EndpointRow): boolean;
  setEndpointResult(endpointId: string, result: { mac: string; result: string }): void;
  deleteEndpoint(endpointId: string): void;
  /** Addresses in use on a network. */
  addresses(networkId: string): string[];
  /** The live (ADD done) endpoints of a network with their container's name: what its DNS server answers. */
  names(networkId: string): Array<{ ip: string; name: string; aliases: string[]; containerId: string }>;
  /** The --dns servers of the container at this address on a network; empty when it has none or the address is not a container's. */
  dnsOf(networkId: string, ip: string): string[];
  /** Goes up with every write to sandboxes or endpoints: what names() and dnsOf() answer may have changed. */
  version(): number;

  ports(): Array<PortMapping & { containerId: string }>;
  portsOf(containerId: string): PortMapping[];
  /** Records the container's mappings; false (nothing written) when one is taken meanwhile. */
  insertPorts(containerId: string, mappings: PortMapping[]): boolean;
}

export function createNetworkRecords(db: DB): NetworkRecords {
  db.exec(schema);
  addMissingColumns(db);
  const q = {
    networks: db.prepare("SELECT * FROM networks ORDER BY created, name"),
    network: db.prepare("SELECT * FROM networks WHERE id = ?"),
    byName: db.prepare("SELECT * FROM networks WHERE name = ?"),
    insertNetwork: db.prepare(
      `INSERT INTO networks (id, name, driver, bridge_name, bridge_created, subnet, gateway, ip_range, user_ipam, gateway_chosen, internal, labels, options, created)
       VALUES (@id, @name, @driver, @bridge_name, @bridge_created, @subnet, @gateway, @ip_range, @user_ipam, @gateway_chosen, @internal, @labels, @options, @created)`,
    ),
    updateNetwork: db.prepare(
      "UPDATE networks SET bridge_name = @bridge_name, bridge_created = @bridge_created, subnet = @subnet, gateway = @gateway, ip_range = @ip_range, options = @options WHERE id = @id",
    ),
    deleteNetwork: db.prepare("DELETE FROM networks WHERE id = ?"),
    sandboxes: db.prepare("SELECT * FROM network_sandboxes"),
    sandbox: db.prepare("SELECT * FROM network_sandboxes WHERE container_id = ?"),
    insertSandbox: db.prepare(`INSERT INTO network_sandboxes (container_id, name, hostname, netns_path, dns) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (container_id) DO UPDATE SET name = excluded.name, hostname = excluded.hostname, netns_path = excluded.netns_path, dns = excluded.dns`),
    deleteSandbox: db.prepare("DELETE FROM network_sandboxes WHERE container_id = ?"),
    endpoints: db.prepare("SELECT * FROM network_endpoints"),
    endpointsOf: db.prepare("SELECT * FROM network_endpoints WHERE container_id = ? ORDER BY ifname"),
    endpointsOn: db.prepare("SELECT * FROM network_endpoints WHERE network_id = ?"),
    insertEndpoint: db.prepare(
      `INSERT INTO network_endpoints (endpoint_id, container_id, network_id, ifname, ip, prefix_len, gateway, mac, aliases, conf)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setEndpointResult: db.prepare("UPDATE network_endpoints SET mac = ?, result = ? WHERE endpoint_id = ?"),
    endpoint: db.prepare("SELECT * FROM network_endpoints WHERE endpoint_id = ?"),
    deleteEndpoint: db.prepare("DELETE FROM network_endpoints WHERE endpoint_id = ?"),
    endpointsOfSandbox: db.prepare("DELETE FROM network_endpoints WHERE container_id = ?"),
    insertIp: db.prepare("INSERT OR IGNORE INTO network_ips (network_id, ip, container_id) VALUES (?, ?, ?)"),
    deleteIp: db.prepare("DELETE FROM network_ips WHERE network_id = ? AND ip = ? AND container_id = ?"),
    ipsOfSandbox: db.prepare("DELETE FROM network_ips WHERE container_id = ?"),
    addresses: db.prepare("SELECT ip FROM network_ips WHERE network_id = ?").pluck(),
    names: db.prepare(
      `SELECT e.ip, s.name, e.aliases, e.container_id FROM network_endpoints e
       JOIN network_sandboxes s ON s.container_id = e.container_id WHERE e.network_id = ? AND e.result IS NOT NULL`,
    ),
    dnsOf: db
      .prepare(
        `SELECT s.dns FROM network_ips i JOIN network_sandboxes s ON s.container_id = i.container_id
         WHERE i.network_id = ? AND i.ip = ?`,
      )
      .pluck(),
    ports: db.prepare("SELECT * FROM network_ports"),
    portsOf: db.prepare("SELECT * FROM network_ports WHERE container_id = ?"),
    insertPort: db.prepare("INSERT OR IGNORE INTO network_ports (host_ip, host_port, proto, container_port, container_id) VALUES (?, ?, ?, ?, ?)"),
    portsOfSandbox: db.prepare("DELETE FROM network_ports WHERE container_id = ?"),
  };
  const toSql = (n: NetworkRow) => ({
    id: n.id,
    name: n.name,
    driver: n.driver,
    bridge_name: n.bridgeName ?? null,
    bridge_created: n.bridgeCreated ? 1 : 0,
    subnet: n.subnet ?? null,
    gateway: n.gateway ?? null,
    ip_range: n.ipRange ?? null,
    user_ipam: n.userIpam ? 1 : 0,
    gateway_chosen: n.gatewayChosen ? 1 : 0,
    internal: n.internal ? 1 : 0,
    labels: JSON.stringify(n.labels),
    options: JSON.stringify(n.options),
    created: n.created,
  });
  type PortSql = { host_ip: string; host_port: number; proto: string; container_port: number; container_id: string };
  const portOf = (r: PortSql) => ({ hostIp: r.host_ip, hostPort: r.host_port, protocol: r.proto as Protocol, containerPort: r.container_port });

  const insertEndpoint = db.transaction((e: EndpointRow): boolean => {
    if (q.insertIp.run(e.networkId, e.ip, e.containerId).changes === 0) return false;
    q.insertEndpoint.run(e.endpointId, e.containerId, e.networkId, e.ifname, e.ip, e.prefixLen, e.gateway, e.mac, JSON.stringify(e.aliases), e.conf);
    return true;
  });
  const deleteEndpoint = db.transaction((endpointId: string) => {
    const row = q.endpoint.get(endpointId) as EndpointSql | undefined;
    if (!row) return;
    q.deleteIp.run(row.network_id, row.ip, row.container_id);
    q.deleteEndpoint.run(endpointId);
  });
  const deleteSandbox = db.transaction((containerId: string) => {
    q.endpointsOfSandbox.run(containerId);
    q.ipsOfSandbox.run(containerId);
    q.portsOfSandbox.run(containerId);
    q.deleteSandbox.run(containerId);
  });
  const insertPorts = db.transaction((containerId: string, mappings: PortMapping[]): boolean => {
    for (const m of mappings) {
      if (q.insertPort.run(m.hostIp, m.hostPort, m.protocol, m.containerPort, containerId).changes === 0) {
        throw new PortTaken();
      }
    }
    return true;
  });
  class PortTaken extends Error {}
  // Lets the DNS servers keep their name tables in memory between writes (dns-servers.ts says why).
  let version = 0;
  const changed = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    version++;
    return fn(...args);
  };

  return {
    networks: () => (q.networks.all() as NetworkSql[]).map(networkOf),
    network: (id) => {
      const r = q.network.get(id) as NetworkSql | undefined;
      return r && networkOf(r);
    },
    byName: (name) => {
      const r = q.byName.get(name) as NetworkSql | undefined;
      return r && networkOf(r);
    },
    insertNetwork: (n) => void q.insertNetwork.run(toSql(n)),
    updateNetwork: (n) => void q.updateNetwork.run(toSql(n)),
    deleteNetwork: (id) => void q.deleteNetwork.run(id),

    sandboxes: () => (q.sandboxes.all() as SandboxSql[]).map(sandboxOf),
    sandbox: (containerId) => {
      const r = q.sandbox.get(containerId) as SandboxSql | undefined;
      return r && sandboxOf(r);
    },
    insertSandbox: changed((s) => void q.insertSandbox.run(s.containerId, s.name, s.hostname, s.netnsPath, JSON.stringify(s.dns))),
    deleteSandbox: changed((containerId) => void deleteSandbox(containerId)),

    endpoints: () => (q.endpoints.all() as EndpointSql[]).map(endpointOf),
    endpointsOf: (containerId) => (q.endpointsOf.all(containerId) as EndpointSql[]).map(endpointOf),
    endpointsOn: (networkId) => (q.endpointsOn.all(networkId) as EndpointSql[]).map(endpointOf),
    insertEndpoint: changed((e) => insertEndpoint(e) as boolean),
    setEndpointResult: changed((endpointId, r) => void q.setEndpointResult.run(r.mac, r.result, endpointId)),
    deleteEndpoint: changed((endpointId) => void deleteEndpoint(endpointId)),
    addresses: (networkId) => q.addresses.all(networkId) as string[],
    names: (networkId) =>
      (q.names.all(networkId) as Array<{ ip: string; name: string; aliases: string; container_id: string }>).map((r) => ({
        ip: r.ip,
        name: r.name,
        aliases: JSON.parse(r.aliases) as string[],
        containerId: r.container_id,
      })),
    dnsOf: (networkId, ip) => {
      const dns = q.dnsOf.get(networkId, ip) as string | undefined;
      return dns ? (JSON.parse(dns) as string[]) : [];
    },
    version: () => version,

    ports: () => (q.ports.all() as PortSql[]).map((r) => ({ ...portOf(r), containerId: r.container_id })),
    portsOf: (containerId) => (q.portsOf.all(containerId) as PortSql[]).map(portOf),
    insertPorts: (containerId, mappings) => {
      try {
        return insertPorts(containerId, mappings) as boolean;
      } catch (err) {
        if (err instanceof PortTaken) return false;
        throw err;
      }
    },
  };
}
