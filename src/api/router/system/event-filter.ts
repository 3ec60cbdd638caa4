// The `filters` of GET /events, matched as dockerd's events.Filter does:
// every given key must match, the values of one key are alternatives, and
// labels must all match. Object keys (container, network, volume, daemon,
// plugin and the swarm ones) match any event whose actor ID or name starts
// with a value — whatever the event's type, as in dockerd; images match by
// ID or name, with or without their tag. dockerd checks no key, so an
// unknown one filters nothing out.
import { InvalidArgumentError } from "../../../errors.js";
import { labelMatches, type Filters } from "../../../oci/filters.js";
import { familiarName, parseNormalizedNamed } from "../../../oci/reference.js";
import type { EventMessage } from "../../types/index.js";

const BY_NAME = ["daemon", "container", "plugin", "volume", "network", "service", "node", "secret", "config"] as const;

/** Actions an `event=` value matches by prefix, as they carry a detail after a colon ("exec_start: sh"). */
const PREFIX_ACTIONS = ["health_status", "exec_create", "exec_start"];

/** The repository without tag or digest, as dockerd's stripTag; the text itself when it is no reference. */
function stripTag(name: string): string {
  try {
    return familiarName(parseNormalizedNamed(name));
  } catch (err) {
    if (err instanceof InvalidArgumentError) return name;
    throw err;
  }
}

/** Builds the predicate once per request. */
export function eventFilter(filters: Filters): (e: EventMessage) => boolean {
  const values = (key: string): string[] => filters.get(key) ?? [];
  const exact = (key: string, source: string): boolean => values(key).length === 0 || values(key).includes(source);
  const fuzzy = (key: string, source: string): boolean => exact(key, source) || values(key).some((v) => source.startsWith(v));
  const events = values("event");
  const fuzzyEvents = events.some((v) => PREFIX_ACTIONS.includes(v));
  const labels = values("label");
  return (e) => {
    const id = e.Actor?.ID ?? "";
    const attrs = e.Actor?.Attributes ?? {};
    const action = e.Action ?? "";
    const imageName = attrs[e.Type === "image" ? "name" : "image"] ?? "";
    return (
      (fuzzyEvents ? fuzzy("event", action) : exact("event", action)) &&
      exact("type", e.Type ?? "") &&
      // dockerd's own events are all "local"; berth leaves the field out.
      exact("scope", e.scope ?? "local") &&
      BY_NAME.every((key) => fuzzy(key, id) || fuzzy(key, attrs.name ?? "")) &&
      (values("image").length === 0 || [id, imageName, stripTag(id), stripTag(imageName)].some((v) => exact("image", v))) &&
      (labels.length === 0 || (Object.keys(attrs).length > 0 && labels.every((l) => labelMatches(attrs, l))))
    );
  };
}
