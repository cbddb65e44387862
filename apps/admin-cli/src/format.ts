// How values read in human output. JSON output keeps the server's values as they are.

const count = new Intl.NumberFormat("en-US");

/** 1040 → "1,040". */
export const formatCount = (n: number) => count.format(n);

/** "1 seat", "1,040 seats". */
export const plural = (n: number, noun: string) => `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;

const pad = (n: number) => String(n).padStart(2, "0");

/** Local wall-clock time, `12:04`: enough for holds, which last minutes. */
export const clockTime = (date: Date) => `${pad(date.getHours())}:${pad(date.getMinutes())}`;

/** Local wall-clock time to the second, `12:04:09`. */
export const clockTimeWithSeconds = (date: Date) => `${clockTime(date)}:${pad(date.getSeconds())}`;

/** Local date and time, `2030-01-01 20:00`. */
export const localDateTime = (date: Date) =>
  `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clockTime(date)}`;

/** The first few labels of a long list, then how many more: `A1, A2, A3 and 997 more`. */
export function listLabels(labels: readonly string[], shown = 10): string {
  if (labels.length <= shown) return labels.join(", ");
  return `${labels.slice(0, shown).join(", ")} and ${formatCount(labels.length - shown)} more`;
}

/** The length of the longest text; a loop, because spreading a big venue's labels overflows the stack. */
export function widest(texts: Iterable<string>): number {
  let width = 0;
  for (const text of texts) width = Math.max(width, text.length);
  return width;
}

/** Rows of cells as aligned columns, the first row being the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => widest(rows.map((row) => row[column] ?? ""))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
