/** verify's human output: a table of instances, then every problem on its own line, then one summary line. */
import type { VerifyReport } from "./verify-report";

export function formatVerifyReport(report: VerifyReport): string {
  const rows: string[][] = [["INSTANCE", "GROUP", "LISTED", "ARCHIVED", "PENDING", "DEFERRED", "MISSING", "OBJECTS", "MISMATCHED"]];
  for (const i of report.instances) {
    const count = (s: string) => String(i.files.filter((f) => f.status === s).length);
    const missing = i.files.filter((f) => f.status === "missing").length + i.lost.length;
    rows.push([i.instance, i.group, String(i.listed), count("archived"), count("pending"), count("deferred"), String(missing), String(i.objectsChecked), String(new Set(i.findings.map((f) => f.key)).size)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ").trimEnd());
  const details: string[] = [];
  for (const e of report.errors) details.push(`ERROR ${e.target}: ${e.code}: ${e.message}`);
  for (const i of report.instances) {
    if (i.error) details.push(`ERROR ${i.instance}: ${i.error.code}: ${i.error.message}`);
    for (const f of i.files) {
      if (f.status === "missing") details.push(`MISSING ${i.instance} ${f.file}${f.key ? ` -> ${f.key}` : ""}: ${f.reason}`);
      if (f.status === "deferred") details.push(`deferred ${i.instance} ${f.file}: ${f.reason}`);
    }
    for (const l of i.lost) details.push(`MISSING ${i.instance} ${l.file}: lost before it was archived (${l.detail})`);
    for (const f of i.findings) details.push(`MISMATCHED ${f.key}: ${f.problem}: ${f.detail}`);
  }
  for (const b of report.chainBreaks) details.push(`MISMATCHED ${b.key}: digest chain of ${b.group}: ${b.detail}`);
  const t = report.totals;
  const checks = [report.deep ? "deep" : "", report.digests ? "digests" : ""].filter(Boolean).join(", ");
  const summary =
    `${report.ok ? "ok" : "NOT VERIFIED"}: ${report.instances.length} instance(s), ${t.listed} listed: ${t.archived} archived, ${t.pending} pending, ` +
    `${t.deferred} deferred, ${t.missing} missing; ${t.objectsChecked} object(s) checked${checks ? ` (${checks})` : ""}, ${t.mismatched} mismatched in s3://${report.bucket}`;
  return [...lines, ...(details.length > 0 ? ["", ...details] : []), "", summary].join("\n");
}
