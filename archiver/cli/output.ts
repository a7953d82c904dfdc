/**
 * What the CLI prints on stdout: the dry run's plan, or the summary of a run. Problems are not repeated here
 * (progress.ts prints each once, on stderr, as it happens); a dry run's plan is the exception, so that a plan
 * saved to a file shows what would fail.
 */
import type { InstanceReport, SyncReport } from "../report";
import { formatBytes, formatDuration, formatRate, formatTable, wrap, type Align } from "./format";
import { errorLines, nextStep } from "./problems";

export { formatBytes };

/** The plan and the summary fit this many columns. */
export const MAX_WIDTH = 120;

const skipCount = (r: InstanceReport, kind: "archived" | "waiting" | "excluded") => r.skipped.filter((s) => s.skip === kind).length;

/** The key's folder: the file name is in its own column. */
function keyFolder(key: string | undefined): string {
  if (!key) return "";
  return key.slice(0, key.lastIndexOf("/") + 1);
}

export function formatPlan(report: SyncReport): string {
  const rows: string[][] = [["INSTANCE", "ACTION", "SIZE", "FILE", "KEY FOLDER / WHY"]];
  const notes: string[] = [];
  for (const r of report.instances) {
    if (r.error) {
      rows.push([r.instance, "ERROR", "", "", `${r.error.code} (below)`]);
      notes.push(`${r.instance}: ${r.error.code}: ${r.error.message}; ${nextStep(r.error.code, "instance")}`);
      continue;
    }
    for (const p of r.planned ?? []) rows.push([r.instance, `copy (${p.reason})`, formatBytes(p.size ?? 0), p.file, keyFolder(p.key)]);
    for (const s of r.skipped.filter((s) => s.skip === "waiting")) rows.push([r.instance, "wait", formatBytes(s.size ?? 0), s.file, s.reason]);
    for (const f of r.failed) rows.push([r.instance, "REJECT", formatBytes(f.size ?? 0), f.file, f.reason]);
  }
  const align: Align[] = ["left", "left", "right", "left", "left"];
  const table = rows.length > 1 ? formatTable(rows, align, MAX_WIDTH, [4, 3, 0]) : [];
  const copies = report.instances.reduce((n, r) => n + (r.planned?.length ?? 0), 0);
  const bytes = report.instances.reduce((n, r) => n + (r.planned ?? []).reduce((m, p) => m + (p.size ?? 0), 0), 0);
  const count = (kind: "archived" | "waiting" | "excluded") => report.instances.reduce((n, r) => n + skipCount(r, kind), 0);
  const failedInstances = report.instances.filter((r) => r.error).length + report.errors.length;
  const rejected = report.instances.reduce((n, r) => n + r.failed.length, 0);
  const problems = [
    ...(failedInstances > 0 ? [`${failedInstances} target(s) failed`] : []),
    ...(rejected > 0 ? [`${rejected} file(s) rejected`] : []),
  ];
  return [
    ...table,
    ...(table.length > 0 ? [""] : []),
    ...[...notes, ...errorLines(report).map((l) => l.replace(/^[^:]+: /, ""))].flatMap((n) => wrap(`ERROR ${n}`, MAX_WIDTH)),
    `dry run: ${copies} file(s) to copy, ${formatBytes(bytes)}; nothing written to s3://${report.bucket}`,
    `skipped: ${count("archived")} already archived, ${count("waiting")} waiting (active), ${count("excluded")} excluded`,
    ...(problems.length > 0 ? [`problems: ${problems.join(", ")}`] : []),
  ].join("\n");
}

/** ARCHIVED: already archived; WAITING: still active; BYTES: read from RDS; OLDEST UNARCHIVED: age of the oldest closed file left behind. */
const SUMMARY_HEADER = ["INSTANCE", "LISTED", "COPIED", "ARCHIVED", "WAITING", "EXCLUDED", "FAILED", "DEFERRED", "BYTES", "MiB/s", "OLDEST UNARCHIVED"];

export function formatSummary(report: SyncReport, now: number = Date.parse(report.finishedAt)): string {
  const elapsedMs = Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
  const rate = (bytes: number) => (elapsedMs > 0 ? formatRate((bytes * 1000) / elapsedMs) : "-");
  const mibPerSecond = (bytes: number) => (elapsedMs > 0 ? ((bytes * 1000) / elapsedMs / (1024 * 1024)).toFixed(2) : "-");
  const rows = [SUMMARY_HEADER];
  for (const r of report.instances) {
    const age = r.oldestUnarchived === undefined ? "-" : `${formatDuration(now - r.oldestUnarchived)} ago`;
    const name = r.group === r.instance ? r.instance : `${r.instance} (${r.group})`;
    if (r.error) {
      rows.push([name, "-", "-", "-", "-", "-", "1", "-", "-", "-", `error: ${r.error.code}`]);
      continue;
    }
    rows.push([
      name, String(r.listed), String(r.copied.length), String(skipCount(r, "archived")), String(skipCount(r, "waiting")), String(skipCount(r, "excluded")),
      String(r.failed.length), String(r.deferred.length), formatBytes(r.bytesRead), mibPerSecond(r.bytesRead), age,
    ]);
  }
  const align: Align[] = ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "left"];
  const t = report.totals;
  const status = report.stopped ? `STOPPED (${report.stopped})` : report.ok ? "ok" : "INCOMPLETE";
  const failedTargets = report.errors.length > 0 ? `, ${report.errors.length} target(s) failed` : "";
  const lines = [
    ...formatTable(rows, align, MAX_WIDTH, [10, 0]),
    "",
    `${status}: ${report.instances.length} instance(s), ${t.copied} copied, ${t.archived} already archived, ${t.waiting} waiting, ` +
      `${t.excluded} excluded, ${t.failed} failed, ${t.deferred} deferred${failedTargets}${t.lost ? `, ${t.lost} LOST before they were archived` : ""}; ` +
      `${formatBytes(t.bytesRead)} in ${formatDuration(elapsedMs)} (${rate(t.bytesRead)}), ${formatBytes(t.bytesWritten)} stored`,
  ];
  if (t.lost) lines.push(`LOST: ${t.lost} file(s) left RDS before they were archived (the gap ledger, _gaps/):`);
  for (const r of report.instances) {
    for (const l of r.lost ?? []) {
      lines.push(`  LOST ${r.instance} ${l.file} (${l.size} bytes, last written ${new Date(l.lastWritten).toISOString()}): ${l.reason}${l.key ? `; recorded in ${l.key}` : ""}`);
    }
  }
  for (const key of report.staleUploadsAborted ?? []) lines.push(`aborted a multipart upload a killed run left open: ${key}`);
  return lines.join("\n");
}
