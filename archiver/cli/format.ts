/** Human units and aligned columns for the CLI's output. Pure. */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(n: number): string {
  let i = 0;
  let v = n;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${UNITS[i]}`;
}

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** 45s, 2m05s, 3h07m, 2d04h: two units at most. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, "0")}h`;
}

/** Shortens `text` to `width` characters by replacing its middle with "…". */
export function truncateMiddle(text: string, width: number): string {
  if (text.length <= width) return text;
  if (width <= 1) return text.slice(0, width);
  const head = Math.ceil((width - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (width - 1 - head))}`;
}

export type Align = "left" | "right";

/**
 * Rows aligned in columns two spaces apart, the last column not padded. When the widest line would exceed
 * `maxWidth`, the columns named in `shrink` give up characters (their cells shortened in the middle).
 */
export function formatTable(rows: string[][], align: Align[], maxWidth = Infinity, shrink: number[] = []): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  // The widest shrinkable column gives up a character at a time, so that long columns share the cut.
  while (total() > maxWidth) {
    const c = shrink.filter((i) => widths[i] > 12).sort((a, b) => widths[b] - widths[a])[0];
    if (c === undefined) break;
    widths[c]--;
  }
  return rows.map((r) =>
    r
      .map((cell, c) => {
        const text = truncateMiddle(cell ?? "", widths[c]);
        if (align[c] === "right") return text.padStart(widths[c]);
        return c === r.length - 1 ? text : text.padEnd(widths[c]);
      })
      .join("  ")
      .trimEnd(),
  );
}

/** Breaks `text` at spaces into lines of at most `width` characters, the later ones indented; a longer word is split. */
export function wrap(text: string, width: number, indent = "  "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const candidate = line === "" ? word : `${line} ${word}`;
    if (candidate.length <= width || line.trim() === "") {
      line = candidate;
    } else {
      lines.push(line);
      line = `${indent}${word}`;
    }
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = `${indent}${line.slice(width)}`;
    }
  }
  if (line.trim() !== "") lines.push(line);
  return lines;
}
