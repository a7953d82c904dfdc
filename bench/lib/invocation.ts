/**
 * One simulated Lambda invocation of the sync handler, in its own process (a cold start): the handler gets a
 * context whose remaining time is BENCH_DEADLINE_MS, and the process samples its own RSS. Writes the report,
 * the peak RSS (getrusage) and the RSS samples as JSON to BENCH_OUT. Settings come from the environment, as in Lambda.
 */
import * as fs from "fs";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { createSyncHandler } from "../../archiver/lambda/handler";

async function main(): Promise<void> {
  const deadlineMs = Number(process.env.BENCH_DEADLINE_MS);
  const out = process.env.BENCH_OUT!;
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(Math.round(process.memoryUsage().rss / 1e6)), 250);
  const started = Date.now();
  const handler = createSyncHandler(loadAwsSdk(), process.env);
  const report = await handler({}, { getRemainingTimeInMillis: () => deadlineMs - (Date.now() - started), awsRequestId: "bench" });
  clearInterval(timer);
  const peakRssMB = Math.round((process.resourceUsage().maxRSS * 1024) / 1e6);
  fs.writeFileSync(out, JSON.stringify({ report, peakRssMB, samples, seconds: (Date.now() - started) / 1000, cpu: process.cpuUsage() }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
