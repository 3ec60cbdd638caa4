// The fields `berth ps --format` offers per container, as Docker's
// ContainerContext computes them. Keys are in sorted order because
// `{{json .}}` prints them that way in Docker.
import type { ContainerSummary, Port } from "../../api/types/index.js";
import { goQuote } from "./go-print.js";
import type { ListFormat } from "./render.js";
import { humanSize, since } from "./units.js";

export const CONTAINER_FORMAT: ListFormat = {
  typeName: "*formatter.ContainerContext",
  errorPrefix: { parse: "failed to parse template: ", exec: "failed to execute template: " },
  defaultTable: "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
  headers: {
    Command: "COMMAND",
    CreatedAt: "CREATED AT",
    ID: "CONTAINER ID",
    Image: "IMAGE",
    // Docker heads a label's column with the label's name.
    Label: (name: unknown) => String(name),
    Labels: "LABELS",
    LocalVolumes: "LOCAL VOLUMES",
    Mounts: "MOUNTS",
    Names: "NAMES",
    Networks: "NETWORKS",
    Ports: "PORTS",
    RunningFor: "CREATED",
    Size: "SIZE",
    State: "STATE",
    Status: "STATUS",
  },
};

export const SIZE_TABLE_SUFFIX = "\t{{.Size}}";

/**
 * The fields are getters: a table shows 7 of the 16, and `ps -a` may list
 * thousands of containers, so each is worked out only when a template (or
 * `{{json .}}`, which reads them all) asks for it.
 */
export function containerContext(c: ContainerSummary, opts: { trunc: boolean; now?: number }): Record<string, unknown> {
  const labels = c.Labels ?? {};
  const mounts = c.Mounts ?? [];
  return {
    get Command() {
      return goQuote(opts.trunc ? ellipsis(c.Command ?? "", 20) : (c.Command ?? ""));
    },
    get CreatedAt() {
      return goTime(c.Created ?? 0);
    },
    ID: opts.trunc ? truncateId(c.Id ?? "") : (c.Id ?? ""),
    get Image() {
      return image(c, opts.trunc);
    },
    Label: (name: unknown) => labels[String(name)] ?? "",
    get Labels() {
      return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(",");
    },
    get LocalVolumes() {
      return String(mounts.filter((m) => m.Driver === "local").length);
    },
    get Mounts() {
      return mounts.map((m) => (opts.trunc ? ellipsis(m.Name || m.Source || "", 15) : m.Name || m.Source || "")).join(",");
    },
    get Names() {
      return names(c.Names ?? [], opts.trunc);
    },
    get Networks() {
      return Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(",");
    },
    // The image manifest's platform (API ≥ 1.46); older daemons and berth send none.
    Platform: null,
    get Ports() {
      return displayPorts(c.Ports ?? []);
    },
    get RunningFor() {
      return since(c.Created ?? 0, opts.now);
    },
    get Size() {
      return size(c);
    },
    State: c.State ?? "",
    Status: c.Status ?? "",
  };
}

/** Docker's 12-character short ID; "sha256:" is not part of it. */
export function truncateId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

/** Cuts to `width` characters, the last one being "…". */
export function ellipsis(text: string, width: number): string {
  // UTF-16 units never number fewer than characters.
  if (text.length <= width) return text;
  const chars = [...text];
  if (chars.length <= width) return text;
  return `${chars.slice(0, width - 1).join("")}…`;
}

/** Go's time.Time.String() in local time: "2024-05-01 10:00:00 +0200 CEST" (zone name as Node knows it). */
export function goTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const offsetMin = -d.getTimezoneOffset();
  const sign = offsetMin >= 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
  const pad = (n: number): string => String(n).padStart(2, "0");
  const zone =
    offsetMin === 0
      ? "UTC"
      : (new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find((p) => p.type === "timeZoneName")?.value ??
        offset);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${offset} ${zone}`;
}

function image(c: ContainerSummary, trunc: boolean): string {
  const name = c.Image ?? "";
  if (!name) return "<no image>";
  if (!trunc) return name;
  if (c.ImageID && truncateId(c.ImageID) === truncateId(name)) return truncateId(name);
  // A digest pinned reference shows without its digest when a tag is there.
  const at = name.indexOf("@");
  return at > 0 && /:[^/]+$/.test(name.slice(0, at)) ? name.slice(0, at) : name;
}

function names(all: string[], trunc: boolean): string {
  const stripped = all.map((n) => n.replace(/^\//, ""));
  if (trunc) {
    // Legacy link names ("/web/db") are listed only with --no-trunc.
    const own = stripped.find((n) => !n.includes("/"));
    if (own !== undefined) return own;
  }
  return stripped.join(",");
}

function size(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0, 3);
  return c.SizeRootFs && c.SizeRootFs > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs, 3)})` : rw;
}

/** "0.0.0.0:8080->80/tcp, 443/tcp", grouping consecutive ports into ranges like Docker. */
export function displayPorts(ports: Port[]): string {
  if (ports.length === 0) return "";
  const sorted = [...ports].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      (a.IP ?? "").localeCompare(b.IP ?? "") ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      a.Type.localeCompare(b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const done: string[] = [];
  const mappings: string[] = [];
  for (const p of sorted) {
    let key: string = p.Type;
    if (p.IP) {
      if (p.PublicPort !== p.PrivatePort) {
        const host = p.IP.includes(":") ? `[${p.IP}]` : p.IP;
        mappings.push(`${host}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const group = groups.get(key);
    if (group && p.PrivatePort === group.last + 1) {
      group.last = p.PrivatePort;
      continue;
    }
    if (group) done.push(portGroup(key, group));
    groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
  }
  return [...done, ...[...groups].map(([key, g]) => portGroup(key, g)), ...mappings].join(", ");
}

function portGroup(key: string, g: { first: number; last: number }): string {
  const slash = key.lastIndexOf("/");
  const ip = slash >= 0 ? key.slice(0, slash) : "";
  const type = key.slice(slash + 1);
  const range = g.first === g.last ? `${g.first}` : `${g.first}-${g.last}`;
  return ip ? `${ip.includes(":") ? `[${ip}]` : ip}:${range}->${range}/${type}` : `${range}/${type}`;
}
