// How networks look from the API: Docker's Network object (as dockerd's
// inspect shows bridge, host, none and user networks), and the filters of
// list and prune. Pure: records in, API shapes out.
import type { Network, NetworkContainer } from "../api/types/index.js";
import { InvalidArgumentError } from "../errors.js";
import { checkFilterKeys, filterTimestamp, type Filters, labelMatches, nameMatches } from "../oci/filters.js";
import type { NetworkRow } from "./records.js";

/** The three networks every daemon has, which cannot be removed. */
export const predefinedNames = ["bridge", "host", "none"] as const;

export function isPredefined(n: Pick<NetworkRow, "name">): boolean {
  return (predefinedNames as readonly string[]).includes(n.name);
}

export function networkView(n: NetworkRow, containers: Record<string, NetworkContainer>): Network {
  const config = n.subnet
    ? [{ Subnet: n.subnet, ...(n.ipRange ? { IPRange: n.ipRange } : {}), ...(n.gateway && !n.gatewayChosen ? { Gateway: n.gateway } : {}) }]
    : [];
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: "local",
    Driver: n.driver,
    EnableIPv6: false,
    // dockerd shows null Options for its predefined networks' IPAM and {} for user networks.
    IPAM: { Driver: "default", Options: (isPredefined(n) ? null : {}) as unknown as Record<string, string>, Config: config },
    Internal: n.internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: "" },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  };
}

/** The Options dockerd shows for its default bridge. */
export function defaultBridgeOptions(bridgeName: string): Record<string, string> {
  return {
    "com.docker.network.bridge.default_bridge": "true",
    "com.docker.network.bridge.enable_icc": "true",
    "com.docker.network.bridge.enable_ip_masquerade": "true",
    "com.docker.network.bridge.host_binding_ipv4": "0.0.0.0",
    "com.docker.network.bridge.name": bridgeName,
    "com.docker.network.driver.mtu": "1500",
  };
}



/** GET /networks filters: each key ORs its values, keys AND together (labels AND too), as dockerd. */
export function listFilter(filters: Filters, inUse: (n: NetworkRow) => boolean): (n: NetworkRow) => boolean {
  checkFilterKeys(filters, ["driver", "id", "label", "name", "scope", "type", "dangling"]);
  for (const t of filters.get("type") ?? []) {
    if (t !== "custom" && t !== "builtin") throw new InvalidArgumentError(`invalid filter: 'type'='${t}'`);
  }
  const dangling = danglingFilter(filters.get("dangling") ?? []);
  const any = (key: string, test: (v: string) => boolean) => {
    const values = filters.get(key);
    return !values || values.length === 0 || values.some(test);
  };
  return (n) =>
    any("driver", (v) => v === n.driver) &&
    // dockerd's filters.Match: the exact text, or an unanchored regular expression.
    any("id", (v) => v === n.id || nameMatches(n.id, v)) &&
    any("name", (v) => v === n.name || nameMatches(n.name, v)) &&
    any("scope", (v) => v === "local") &&
    any("type", (v) => (v === "builtin") === isPredefined(n)) &&
    (filters.get("label") ?? []).every((v) => labelMatches(n.labels, v)) &&
    (dangling === undefined || (dangling ? !isPredefined(n) && !inUse(n) : isPredefined(n) || inUse(n)));
}

/** The one `dangling` value dockerd allows a network listing, in its words. */
function danglingFilter(values: string[]): boolean | undefined {
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidArgumentError('got more than one value for filter key "dangling"');
  if (values[0] === "1" || values[0] === "true") return true;
  if (values[0] === "0" || values[0] === "false") return false;
  throw new InvalidArgumentError(`invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`);
}

/** POST /networks/prune filters: until, label, label!. */
export function pruneFilter(filters: Filters, nowMs: number): (n: NetworkRow) => boolean {
  checkFilterKeys(filters, ["until", "label", "label!"]);
  const until = (filters.get("until") ?? []).map((v) => filterTimestamp(v, nowMs));
  return (n) =>
    until.every((t) => Date.parse(n.created) < t) &&
    (filters.get("label") ?? []).every((v) => labelMatches(n.labels, v)) &&
    (filters.get("label!") ?? []).every((v) => !labelMatches(n.labels, v));
}
