/**
 * `npm run demo`: the real CLI against a fake RDS and a local S3 on loopback, no AWS account needed.
 * Three databases with realistic logs (MySQL, PostgreSQL, and an Aurora MySQL cluster of two) are
 * synced twice: the first run copies, the second finds nothing new. Then the bucket tree is printed.
 */
import { spawn } from "child_process";
import * as path from "path";
import { gzipSync } from "zlib";
import type { SyncReport } from "../archiver/report";
import { formatBytes } from "../archiver/cli/output";
import { childEnv } from "../local-aws/env";
import { FakeRds } from "../local-aws/fake-rds";
import { LocalS3 } from "../local-aws/local-s3";
import { SeededRandom } from "../local-aws/seeded-random";

const BUCKET = "123456789012-demo-rds-logs-us-east-1";
const HOUR = 3_600_000;
const now = Date.now();
const hourStart = now - (now % HOUR);

const iso = (ms: number) => new Date(ms).toISOString();
const stamp = (ms: number, sep = "-") => iso(ms).slice(0, 10) + sep + iso(ms).slice(11, 13);
const random = new SeededRandom(7);
const rand = (n: number) => random.below(n);
const pick = <T>(xs: readonly T[]) => random.pick(xs);

const USERS = ["app", "reporting", "admin", "etl"];
const TABLES = ["orders", "customers", "invoices", "line_items", "bestellungen", "注文"];

function slowQueries(from: number, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const t = from + Math.floor((i * HOUR) / count);
    out += `# Time: ${iso(t)}\n# User@Host: ${pick(USERS)}[${pick(USERS)}] @  [10.0.${rand(255)}.${rand(255)}]  Id: ${1000 + rand(9000)}\n`;
    out += `# Query_time: ${(1 + rand(9000) / 1000).toFixed(6)}  Lock_time: 0.000${rand(999)} Rows_sent: ${rand(500)}  Rows_examined: ${rand(2_000_000)}\n`;
    out += `SET timestamp=${Math.floor(t / 1000)};\nSELECT * FROM ${pick(TABLES)} WHERE note LIKE '%café%' ORDER BY created_at DESC LIMIT ${rand(100)};\n`;
  }
  return out;
}

function mysqlErrors(from: number, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const t = from + Math.floor((i * HOUR) / count);
    out += `${iso(t)} ${rand(99)} [Warning] [MY-010055] [Server] IP address '10.0.${rand(255)}.${rand(255)}' could not be resolved\n`;
  }
  return out;
}

function auditLines(from: number, span: number, count: number, host: string): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const t = from + Math.floor((i * span) / count);
    const ts = iso(t).replace(/[-T:]/g, "").slice(0, 14);
    out += `${ts},${host},${pick(USERS)},10.0.${rand(255)}.${rand(255)},${rand(9999)},${rand(99999)},QUERY,shop,'UPDATE ${pick(TABLES)} SET status=''versandt'' WHERE id=${rand(99999)}',0\n`;
  }
  return out;
}

function postgresLines(from: number, count: number): string {
  let out = "";
  for (let i = 0; i < count; i++) {
    const t = from + Math.floor((i * HOUR) / count);
    const at = iso(t).replace("T", " ").slice(0, 19);
    out += `${at} UTC:10.0.${rand(255)}.${rand(255)}(${40000 + rand(20000)}):${pick(USERS)}@billing:[${rand(30000)}]:LOG:  duration: ${rand(5000)}.${rand(999)} ms  statement: SELECT sum(amount) FROM ${pick(TABLES)} WHERE currency = '€'\n`;
  }
  return out;
}

function fillMysql(rds: FakeRds, id: string): void {
  rds.addInstance(id);
  for (let h = 6; h >= 1; h--) {
    const start = hourStart - h * HOUR;
    const slot = new Date(start).getUTCHours();
    rds.putFile(id, { name: `slowquery/mysql-slowquery.log.${slot}`, lastWritten: start + HOUR - 1000, content: Buffer.from(slowQueries(start, 300)) });
    rds.putFile(id, { name: `error/mysql-error-running.log.${slot}`, lastWritten: start + HOUR - 2000, content: Buffer.from(mysqlErrors(start, 20)) });
  }
  rds.putFile(id, { name: "slowquery/mysql-slowquery.log", lastWritten: now, content: Buffer.from(slowQueries(hourStart, 40)) });
  rds.putFile(id, { name: "error/mysql-error-running.log", lastWritten: now - 60_000, content: Buffer.from(mysqlErrors(hourStart, 3)) });
  rds.putFile(id, { name: "error/mysql-error.log", lastWritten: now - 10_000, content: Buffer.alloc(0), listedSize: 230 });
  for (let n = 3; n >= 1; n--) {
    const from = hourStart - (n + 1) * HOUR;
    rds.putFile(id, { name: `audit/server_audit.log.${n}`, lastWritten: from + HOUR, content: Buffer.from(auditLines(from, HOUR, 900, id)) });
  }
  rds.putFile(id, { name: "audit/server_audit.log", lastWritten: now, content: Buffer.from(auditLines(hourStart - HOUR, HOUR, 200, id)) });
}

function fillPostgres(rds: FakeRds, id: string): void {
  rds.addInstance(id);
  for (let h = 6; h >= 0; h--) {
    const start = hourStart - h * HOUR;
    const content = Buffer.from(postgresLines(start, h === 0 ? 50 : 400));
    const name = `error/postgresql.log.${stamp(start)}`;
    // RDS compresses older PostgreSQL files and lists them with a .gz suffix.
    if (h >= 5) rds.putFile(id, { name: `${name}.gz`, lastWritten: start + HOUR - 1, content: gzipSync(content) });
    else rds.putFile(id, { name, lastWritten: h === 0 ? now : start + HOUR - 1, content });
  }
}

function fillAurora(rds: FakeRds, cluster: string, members: string[]): void {
  for (const id of members) {
    rds.addInstance(id);
    for (let h = 3; h >= 0; h--) {
      const start = hourStart - h * HOUR;
      for (let writer = 0; writer < 4; writer++) {
        const name = `audit/audit.log.${writer}.${stamp(start)}-00.0`;
        rds.putFile(id, { name, lastWritten: h === 0 ? now : start + HOUR - 1, content: Buffer.from(auditLines(start, HOUR, 250, id)) });
      }
    }
  }
  rds.setCluster(cluster, members);
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  const bin = path.join(__dirname, "..", "bin", "rds-log-archiver.js");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
}

async function main(): Promise<void> {
  const rds = await FakeRds.start();
  const s3 = await LocalS3.start({ buckets: [BUCKET] });
  try {
    fillMysql(rds, "orders-mysql");
    fillPostgres(rds, "billing-pg");
    fillAurora(rds, "analytics", ["analytics-1", "analytics-2"]);
    const env = childEnv(rds, s3);
    const args = ["sync", "--bucket", BUCKET, "--instance", "orders-mysql", "--instance", "billing-pg", "--cluster", "analytics", "--json"];
    console.log(`fake RDS at ${rds.endpoint}, local S3 at ${s3.endpoint}\n`);
    console.log(`$ rds-log-archiver ${args.join(" ")}`);
    const first = await cli(args, env);
    const r1 = JSON.parse(first.stdout) as SyncReport;
    console.log(`  run 1: exit ${first.code}, ${r1.totals.copied} copied, ${r1.totals.skipped} skipped, ${r1.totals.failed} failed`);
    const second = await cli(args, env);
    const r2 = JSON.parse(second.stdout) as SyncReport;
    console.log(`  run 2: exit ${second.code}, ${r2.totals.copied} copied, ${r2.totals.skipped} skipped, ${r2.totals.failed} failed\n`);

    const objects = await s3.listAll(BUCKET);
    console.log(`s3://${BUCKET}/`);
    let folder = "";
    for (const o of objects.sort((a, b) => (a.key < b.key ? -1 : 1))) {
      const parts = o.key.split("/");
      const [head, rest] = [parts.slice(0, 2).join("/"), parts.slice(2).join("/")];
      if (head !== folder) console.log(`  ${(folder = head)}/`);
      const detail = o.metadata.bytes ? `  (${formatBytes(Number(o.metadata.bytes))} of log)` : "";
      console.log(`    ${rest.padEnd(62)} ${formatBytes(o.size).padStart(9)}${detail}`);
    }
    const stored = objects.reduce((n, o) => n + o.size, 0);
    console.log(
      `\n${objects.length} objects, ${formatBytes(stored)} stored for ${formatBytes(r1.totals.bytesRead)} of logs read; ` +
        `run 1 copied ${r1.totals.copied} files, run 2 copied ${r2.totals.copied} (skipped ${r2.totals.skipped}, active files wait until they rotate).`,
    );
    if (first.code !== 0 || second.code !== 0 || r2.totals.copied !== 0) process.exitCode = 1;
  } finally {
    await rds.stop();
    await s3.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
