// Extended attributes through Debian's `attr` tools (Node has no xattr calls).
// Both directions are batched — one setfattr per layer applied, one getfattr
// per tree read — so the cost is one process, not one per file.
import { runCommand } from "./run-command.js";

/** Absolute path → xattr name → value. */
export type XattrTable = Map<string, Map<string, Buffer>>;

/** Sets every attribute in `table` without following symlinks (`setfattr -h --restore`). */
export async function setXattrs(table: XattrTable): Promise<void> {
  if (table.size === 0) return;
  let dump = "";
  for (const [path, attrs] of table) {
    dump += `# file: ${quote(path)}\n`;
    for (const [name, value] of attrs) dump += `${quote(name)}=0x${value.toString("hex")}\n`;
    dump += "\n";
  }
  await runCommand("setfattr", ["-h", "--restore=-"], { input: dump });
}

/** The attributes named in `names` of every file under `dir` (symlinks not followed), by absolute path. */
export async function readXattrs(dir: string, names: string[]): Promise<XattrTable> {
  const pattern = `^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;
  const out = await runCommand("getfattr", ["-h", "-R", "-P", "-d", "-e", "hex", "--absolute-names", "-m", pattern, dir]);
  const table: XattrTable = new Map();
  let current: Map<string, Buffer> | undefined;
  for (const line of out.toString("latin1").split("\n")) {
    if (line.startsWith("# file: ")) {
      current = new Map();
      table.set(unquote(line.slice("# file: ".length)), current);
      continue;
    }
    const eq = line.indexOf("=");
    if (current === undefined || eq === -1) continue;
    const value = line.slice(eq + 1);
    current.set(unquote(line.slice(0, eq)), value.startsWith("0x") ? Buffer.from(value.slice(2), "hex") : Buffer.from(value.replace(/^"|"$/g, ""), "latin1"));
  }
  return table;
}

// attr's quoting: every byte outside printable ASCII, and the backslash, as \ooo.
function quote(s: string): string {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    out += byte < 0x21 || byte > 0x7e || byte === 0x5c || byte === 0x3d ? `\\${byte.toString(8).padStart(3, "0")}` : String.fromCharCode(byte);
  }
  return out;
}

/** Inverse of quote, for text read as latin1 (one char per byte). */
function unquote(s: string): string {
  const bytes = Buffer.from(s.replace(/\\([0-7]{3}|\\)/g, (_m, code: string) => (code === "\\" ? "\\" : String.fromCharCode(parseInt(code, 8)))), "latin1");
  return bytes.toString("utf8");
}
