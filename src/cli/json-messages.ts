// Shows a JSON-message stream (pull, load, import) as Docker does: one line
// per status, progress redrawn in place on a terminal and left out otherwise;
// an in-band error ends the stream with that error.
import type { JSONMessage } from "../api/types/index.js";
import { streamError } from "../client/client.js";

export async function showJSONMessages(
  messages: AsyncIterable<JSONMessage>,
  out: { write(text: string): unknown; isTTY?: boolean },
): Promise<void> {
  let progressLine = false;
  for await (const m of messages) {
    if (m.error || m.errorDetail?.message) throw streamError(m.errorDetail?.message ?? m.error ?? "");
    if (m.stream !== undefined) {
      out.write(m.stream);
      continue;
    }
    if (m.status === undefined) continue;
    const text = `${m.id ? `${m.id}: ` : ""}${m.status}`;
    if (m.progress || m.progressDetail?.total) {
      if (!out.isTTY) continue;
      out.write(`\r\x1b[2K${text} ${m.progress ?? ""}`);
      progressLine = true;
      continue;
    }
    if (progressLine) out.write("\n");
    progressLine = false;
    out.write(`${text}\n`);
  }
  if (progressLine) out.write("\n");
}
