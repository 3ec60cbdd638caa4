// Newline-delimited JSON, as GET /events and the JSON-message streams of
// pull, load and import write it. Lines may be split across chunks.
import { SystemError } from "../errors.js";

export async function* parseJSONLines<T>(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): AsyncGenerator<T> {
  let pending = "";
  for await (const chunk of source) {
    pending += chunk.toString();
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) yield parseLine<T>(line);
    }
  }
  if (pending.trim()) yield parseLine<T>(pending.trim());
}

function parseLine<T>(line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (err) {
    throw new SystemError(`invalid JSON from daemon: ${line.slice(0, 200)}`, { cause: err });
  }
}
