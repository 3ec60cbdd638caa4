// Finding a network the way dockerd does: full ID, then name, then a unique
// ID prefix.
import { InvalidArgumentError, NotFoundError } from "../errors.js";
import type { NetworkRecords, NetworkRow } from "./records.js";

export function resolveNetwork(records: Pick<NetworkRecords, "network" | "byName" | "networks">, idOrName: string): NetworkRow {
  const exact = records.network(idOrName) ?? records.byName(idOrName);
  if (exact) return exact;
  const matches = idOrName ? records.networks().filter((n) => n.id.startsWith(idOrName)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new InvalidArgumentError(`network ${idOrName} is ambiguous (${matches.length} matches found based on ID prefix)`);
  throw new NotFoundError(`network ${idOrName} not found`);
}
