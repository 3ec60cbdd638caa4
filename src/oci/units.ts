// Sizes as Docker prints them (go-units HumanSize), shared by the daemon's
// progress messages and the CLI's tables.

const SI = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

/** Decimal (SI) size with `precision` significant digits: 4260000 → "4.26MB". */
export function humanSize(bytes: number, precision = 4): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1000 && unit < SI.length - 1) {
    size /= 1000;
    unit++;
  }
  // %g drops trailing zeros; Number() of toPrecision does the same.
  return `${Number(size.toPrecision(precision))}${SI[unit]}`;
}
