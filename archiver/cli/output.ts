/** Human-readable output of the CLI: progress on stderr, the plan or the summary on stdout. */
import type { InstanceReport, SyncEvent, SyncReport } from "../report";

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/** Progress lines for long copies: one at the start of a copy over 8 MiB, then at most every 5 s. */
export function progressReporter(write: (line: string) => void, now: () => number = Date.now) {
  const lastShown = new Map<string, number>();
  return (e: SyncEvent) => {
    const id = `${e.instance} ${"file" in e ? e.file : ""}`;
    if (e.type === "copy-start" && e.size >= 8 * 1024 * 1024) {
      write(`copying ${e.instance} ${e.file} (${formatBytes(e.size)} listed)`);
      lastShown.set(id, now());
    } else if (e.type === "progress" && now() - (lastShown.get(id) ?? 0) >= 5_000 && e.bytesRead >= 8 * 1024 * 1024) {
      const pct = e.size > 0 ? ` (${Math.min(100, Math.floor((100 * e.bytesRead) / e.size))}%)` : "";
      write(`  ${e.instance} ${e.file}: ${formatBytes(e.bytesRead)} read${pct}`);
      lastShown.set(id, now());
    } else if (e.type === "copied") {
      if (lastShown.delete(id)) write(`  ${e.instance} ${e.file}: done, ${formatBytes(e.bytesRead)} in ${(e.ms / 1000).toFixed(1)} s`);
    } else if (e.type === "deferred") {
      lastShown.delete(id);
      write(`DEFERRED ${e.instance} ${e.file}: ${e.reason}`);
    } else if (e.type === "failed") {
      write(`FAILED ${e.instance}${e.file ? ` ${e.file}` : ""}: ${e.reason}`);
    } else if (e.type === "lost") {
      write(`LOST ${e.instance} ${e.file}: ${e.reason}`);
    }
  };
}

export function formatPlan(report: SyncReport): string {
  const rows: string[][] = [["INSTANCE", "FILE", "ACTION", "KEY", "BYTES"]];
  for (const r of report.instances) {
    for (const p of r.planned ?? []) rows.push([r.instance, p.file, `copy (${p.reason})`, p.key ?? "", String(p.size ?? "")]);
    for (const s of r.skipped) rows.push([r.instance, s.file, `skip (${s.reason})`, s.key ?? "", String(s.size ?? "")]);
    for (const f of r.failed) rows.push([r.instance, f.file, `reject (${f.reason})`, f.key ?? "", String(f.size ?? "")]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  "));
  const copies = report.instances.reduce((n, r) => n + (r.planned?.length ?? 0), 0);
  const bytes = report.instances.reduce((n, r) => n + (r.planned ?? []).reduce((m, p) => m + (p.size ?? 0), 0), 0);
  return [...lines, "", `dry run: ${copies} file(s) to copy, ${formatBytes(bytes)} listed; nothing written`, ...errorLines(report)].join("\n");
}

export function formatSummary(report: SyncReport): string {
  const lines = report.instances.map(instanceLine);
  for (const r of report.instances) {
    for (const d of r.deferred) lines.push(`  DEFERRED ${r.instance} ${d.file}: ${d.reason}`);
    for (const f of r.failed) lines.push(`  FAILED ${r.instance} ${f.file}: ${f.reason}`);
    for (const l of r.lost ?? []) {
      lines.push(`  LOST ${r.instance} ${l.file} (${l.size} bytes, last written ${new Date(l.lastWritten).toISOString()}): ${l.reason}${l.key ? `; recorded in ${l.key}` : ""}`);
    }
  }
  lines.push(...errorLines(report));
  for (const key of report.staleUploadsAborted ?? []) lines.push(`aborted a multipart upload a killed run left open: ${key}`);
  const t = report.totals;
  const status = report.stopped ? `STOPPED (${report.stopped})` : report.ok ? "ok" : "INCOMPLETE";
  lines.push(
    `${status}: ${report.instances.length} instance(s), ${t.copied} copied, ${t.skipped} skipped, ${t.deferred} deferred, ` +
      `${t.failed} failed${t.lost ? `, ${t.lost} LOST before they were archived` : ""}; ${formatBytes(t.bytesRead)} read, ${formatBytes(t.bytesWritten)} written to s3://${report.bucket}`,
  );
  return lines.join("\n");
}

function instanceLine(r: InstanceReport): string {
  if (r.error) return `${r.instance}: FAILED ${r.error.code}: ${r.error.message}`;
  return (
    `${r.instance} (${r.group}): ${r.listed} listed, ${r.copied.length} copied, ${r.skipped.length} skipped, ${r.deferred.length} deferred, ` +
    `${r.failed.length} failed; ${formatBytes(r.bytesRead)} read, ${formatBytes(r.bytesWritten)} written`
  );
}

function errorLines(report: SyncReport): string[] {
  return report.errors.map((e) => `FAILED ${e.target}: ${e.code}: ${e.message}`);
}
