/**
 * CloudWatch Embedded Metric Format: a log line that CloudWatch turns into metrics, with no API call and no
 * extra permission. A plain writer rather than @aws-lambda-powertools/metrics: the few lines here are
 * all it takes, and the function's zip and cold start stay small.
 */
import type { SyncReport } from "../report";

export const METRICS_NAMESPACE = "RdsLogArchiver";

export type Unit = "Count" | "Bytes" | "Seconds";

/** Files that left RDS before they were archived (the gap ledger), from the sync and from RDS events. */
export const FILES_LOST_METRIC = "FilesLost";
export type Metrics = Record<string, { value: number; unit: Unit }>;

export function emfLine(dimensions: Record<string, string>, metrics: Metrics, timestamp: number): string {
  const names = Object.keys(dimensions);
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [names],
          Metrics: Object.entries(metrics).map(([name, m]) => ({ Name: name, Unit: m.unit })),
        },
      ],
    },
    ...dimensions,
    ...Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, m.value])),
  });
}

/** Archive lag of a run: the age of the oldest closed file it listed but did not archive (deferred or failed), in seconds. */
export function archiveLagSeconds(oldestUnarchived: number | undefined, now: number): number {
  return oldestUnarchived === undefined ? 0 : Math.max(0, Math.round((now - oldestUnarchived) / 1000));
}

/** One line for the stage, and one per instance. */
export function syncMetricLines(report: SyncReport, stage: string, now: number): string[] {
  const lags = report.instances.map((i) => archiveLagSeconds(i.oldestUnarchived, now));
  const lines = [
    emfLine(
      { Stage: stage },
      {
        Runs: { value: 1, unit: "Count" },
        SuccessfulRuns: { value: report.ok ? 1 : 0, unit: "Count" },
        FilesCopied: { value: report.totals.copied, unit: "Count" },
        // Left for the next run (time budget, a stop): not failures, but a backlog that never drains shows as lag.
        FilesDeferred: { value: report.totals.deferred, unit: "Count" },
        BytesCopied: { value: report.totals.bytesRead, unit: "Bytes" },
        BytesStored: { value: report.totals.bytesWritten, unit: "Bytes" },
        Failures: { value: report.totals.failed + report.errors.length, unit: "Count" },
        ArchiveLagSeconds: { value: Math.max(0, ...lags), unit: "Seconds" },
        [FILES_LOST_METRIC]: { value: report.totals.lost ?? 0, unit: "Count" },
      },
      now,
    ),
  ];
  report.instances.forEach((i, n) => {
    lines.push(
      emfLine(
        { Stage: stage, Instance: i.instance },
        {
          FilesCopied: { value: i.copied.length, unit: "Count" },
          FilesDeferred: { value: i.deferred.length, unit: "Count" },
          BytesCopied: { value: i.bytesRead, unit: "Bytes" },
          Failures: { value: i.failed.length + (i.error ? 1 : 0), unit: "Count" },
          ArchiveLagSeconds: { value: lags[n], unit: "Seconds" },
          [FILES_LOST_METRIC]: { value: i.lost?.length ?? 0, unit: "Count" },
        },
        now,
      ),
    );
  });
  return lines;
}

/** The scheduled verify's metrics: files missing (gaps included) and objects mismatched; each has an alarm. */
export const VERIFY_METRICS = { missing: "Missing", mismatched: "Mismatched" } as const;

export function verifyMetricLines(totals: { missing: number; mismatched: number }, stage: string, now: number): string[] {
  return [
    emfLine(
      { Stage: stage },
      {
        [VERIFY_METRICS.missing]: { value: totals.missing, unit: "Count" },
        [VERIFY_METRICS.mismatched]: { value: totals.mismatched, unit: "Count" },
      },
      now,
    ),
  ];
}
