/**
 * The scheduled verify: the archived ids come from the same environment as the sync function's (settings.ts ENV).
 * It walks the digest chains (not --deep: a weekly re-download of everything RDS holds would cost more than it
 * proves), writes the report to `_verify/` in the bucket, logs a summary line and the `Missing` and `Mismatched`
 * metrics, and returns the report.
 */
import type { AwsSdk } from "../aws-sdk";
import { createS3Client } from "../aws-clients";
import { verifyReportKey } from "../layout/verify-report-key";
import { verifyMetricLines } from "../metrics/emf";
import { settingsFromEnv, stageOf } from "../settings";
import { runVerify } from "../verify/run-verify";
import type { VerifyReport } from "../verify/verify-report";
import { UPLOAD_CHECKSUM } from "../s3/upload-checksum";
import { invocationLoggers, writeLine, type InvocationContext } from "./logger";

export function createVerifyHandler(sdk: AwsSdk, env: NodeJS.ProcessEnv = process.env) {
  // Exactly two parameters: the Lambda runtime treats a third as a callback-style handler.
  const loggerFor = invocationLoggers(env);
  return async (_event: unknown, context?: InvocationContext): Promise<VerifyReport & { reportKey?: string }> => {
    const log = loggerFor(context);
    const settings = settingsFromEnv(env);
    const report = await runVerify(
      { bucket: settings.bucket, instances: settings.instances, clusters: settings.clusters, deep: false, digests: true },
      { sdk, env, connectTimeoutSeconds: settings.connectTimeoutSeconds, readTimeoutSeconds: settings.readTimeoutSeconds },
    );
    let reportKey: string | undefined;
    try {
      reportKey = verifyReportKey(Date.parse(report.startedAt));
      const s3 = createS3Client(sdk, env);
      await s3.send(new sdk.s3.PutObjectCommand({
        Bucket: settings.bucket, Key: reportKey, Body: JSON.stringify(report, null, 2), ContentType: "application/json", ChecksumAlgorithm: UPLOAD_CHECKSUM,
      }));
    } catch (err) {
      log.error("could not store the verify report", { key: reportKey, error: String(err) });
      reportKey = undefined;
    }
    (report.ok ? log.info : log.error)("verify finished", { bucket: report.bucket, ok: report.ok, reportKey, ...report.totals, errors: report.errors });
    for (const line of verifyMetricLines(report.totals, stageOf(env), Date.now())) writeLine(line);
    return { ...report, ...(reportKey ? { reportKey } : {}) };
  };
}
