// Column alignment as Go's text/tabwriter does it for Docker's tables
// (minwidth 10, padding 3, spaces): every tab-terminated cell is padded to the
// widest cell of its column within the run of consecutive lines having that
// column; the text after a line's last tab is not part of any column.

export interface TabOptions {
  minWidth?: number;
  padding?: number;
}

export function tabulate(text: string, opts: TabOptions = {}): string {
  const minWidth = opts.minWidth ?? 10;
  const padding = opts.padding ?? 3;
  const endsWithNewline = text.endsWith("\n");
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split("\n").map((l) => l.split("\t"));
  // One test for the whole text rather than two per cell: most tables hold no surrogate pairs.
  const wide = SURROGATE.test(text);
  const cellWidth = wide ? displayWidth : (cell: string) => cell.length;
  const pad = wide ? (cell: string, w: number) => cell + " ".repeat(w - displayWidth(cell)) : (cell: string, w: number) => cell.padEnd(w);
  const widths = lines.map((cells) => new Array<number>(Math.max(cells.length - 1, 0)).fill(0));
  const maxColumns = Math.max(0, ...lines.map((cells) => cells.length - 1));
  for (let col = 0; col < maxColumns; col++) {
    let start = 0;
    while (start < lines.length) {
      if (lines[start].length - 1 <= col) {
        start++;
        continue;
      }
      let end = start;
      let width = minWidth;
      while (end < lines.length && lines[end].length - 1 > col) {
        width = Math.max(width, cellWidth(lines[end][col]) + padding);
        end++;
      }
      for (let i = start; i < end; i++) widths[i][col] = width;
      start = end;
    }
  }
  const out = lines.map((cells, i) => {
    let line = "";
    for (let col = 0; col < cells.length - 1; col++) line += pad(cells[col], widths[i][col]);
    return line + cells[cells.length - 1];
  });
  return out.join("\n") + (endsWithNewline ? "\n" : "");
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Go's tabwriter counts runes, not UTF-16 units; they differ only where surrogate pairs are. */
function displayWidth(text: string): number {
  return SURROGATE.test(text) ? [...text].length : text.length;
}
