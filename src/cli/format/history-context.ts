// The rows of `berth history`, as Docker's history formatter prints them.
import type { ImageHistoryItem } from "../../api/types/index.js";
import { ellipsis, truncateId } from "./container-context.js";
import type { ListFormat } from "./render.js";
import { humanSize, since } from "./units.js";

export const HISTORY_FORMAT: ListFormat = {
  typeName: "*image.historyContext",
  defaultTable: "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}",
  headers: {
    Comment: "COMMENT",
    CreatedAt: "CREATED AT",
    CreatedBy: "CREATED BY",
    CreatedSince: "CREATED",
    ID: "IMAGE",
    Size: "SIZE",
  },
};

export function historyContext(h: ImageHistoryItem, opts: { trunc: boolean; human: boolean; now?: number }): Record<string, unknown> {
  const createdBy = h.CreatedBy.replaceAll("\t", " ");
  // Docker prints RFC 3339 in UTC when the machine's zone is UTC; berth always does.
  const created = new Date(h.Created * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    Comment: h.Comment,
    CreatedAt: created,
    CreatedBy: opts.trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: opts.human ? since(h.Created, opts.now) : created,
    ID: opts.trunc && h.Id !== "<missing>" ? truncateId(h.Id) : h.Id,
    Size: opts.human ? humanSize(h.Size, 3) : String(h.Size),
  };
}
