// The `filters` of GET /events, matched as dockerd does: every given key must
// match (values of one key are alternatives); names match by prefix for
// containers, images match by ID, name or name without its tag.
import { checkFilterKeys, type Filters } from "../../../oci/filters.js";
import type { EventMessage } from "../../types/index.js";

const KEYS = ["config", "container", "daemon", "event", "image", "label", "network", "node", "plugin", "scope", "secret", "service", "type", "volume"] as const;

const SWARM_KEYS = ["config", "node", "secret", "service"];

function stripTag(name: string): string {
  const at = name.indexOf("@");
  if (at >= 0) return name.slice(0, at);
  const colon = name.lastIndexOf(":");
  return colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
}

function labelMatches(wanted: string, attributes: Record<string, string>): boolean {
  const eq = wanted.indexOf("=");
  if (eq < 0) return wanted in attributes;
  return attributes[wanted.slice(0, eq)] === wanted.slice(eq + 1);
}

/** Builds the predicate once per request; throws InvalidArgumentError for unknown keys. */
export function eventFilter(filters: Filters): (e: EventMessage) => boolean {
  checkFilterKeys(filters, KEYS);
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const values = filters.get(key);
    return values === undefined || values.length === 0 || values.some(test);
  };
  return (e) => {
    const id = e.Actor?.ID ?? "";
    const attrs = e.Actor?.Attributes ?? {};
    const name = attrs.name ?? "";
    // "exec_start: sh -c …" is matched by its action alone.
    const action = (e.Action ?? "").split(":")[0];
    const byName = (type: string) => (v: string) => e.Type === type && (id.startsWith(v) || (name !== "" && name.startsWith(v)));
    const imageName = e.Type === "image" ? name : (attrs.image ?? "");
    return (
      any("type", (v) => v === e.Type) &&
      any("event", (v) => v === action || v === e.Action) &&
      any("scope", (v) => v === (e.scope ?? "local")) &&
      any("container", byName("container")) &&
      any("network", byName("network")) &&
      any("volume", byName("volume")) &&
      any("plugin", byName("plugin")) &&
      any("daemon", byName("daemon")) &&
      any("image", (v) => [id, imageName, stripTag(id), stripTag(imageName)].includes(v)) &&
      any("label", (v) => labelMatches(v, attrs)) &&
      // berth emits no swarm events, so a swarm filter matches nothing.
      SWARM_KEYS.every((key) => any(key, () => false))
    );
  };
}
