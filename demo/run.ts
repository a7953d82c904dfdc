/**
 * `npm run demo`: the real CLI, as a person runs it, against a fake RDS and a local S3 on loopback, no AWS
 * account needed. Three databases with realistic logs (MySQL, PostgreSQL with one busy hour, and an Aurora
 * MySQL cluster of two): a dry run prints the plan, the first sync copies (progress on stderr, then the
 * summary table), the second finds nothing new. Then the bucket tree is printed.
 */
import { spawn } from "child_process";
import * as path from "path";
import { gzipSync } from "zlib";
import { formatBytes, formatTable } from "../archiver/cli/format";
import { childEnv } from "../local-aws/env";
import { FakeRds, repeatedContent } from "../local-aws/fake-rds";
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
  // A busy hour: a file large enough to show the progress line (bytes, rate, ETA) for a moment.
  const busy = hourStart - 7 * HOUR;
  rds.putFile(id, { name: `error/postgresql.log.${stamp(busy)}`, lastWritten: busy + HOUR - 1, content: repeatedContent(postgresLines(busy, 200), 64 * 1024 * 1024) });
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

/** Runs the CLI with stderr on this terminal (the progress line) and shows its stdout as it comes. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string }> {
  const bin = path.join(__dirname, "..", "bin", "rds-log-archiver.js");
  console.log(`$ rds-log-archiver ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...env, COLUMNS: process.env.COLUMNS }, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      process.stdout.write(d);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      console.log(`(exit ${code})\n`);
      resolve({ code, stdout });
    });
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
    const args = ["sync", "--bucket", BUCKET, "--instance", "orders-mysql", "--instance", "billing-pg", "--cluster", "analytics"];
    console.log(`fake RDS at ${rds.endpoint}, local S3 at ${s3.endpoint}\n`);
    const plan = await cli([...args, "--dry-run"], env);
    const first = await cli(args, env);
    const second = await cli(args, env);

    const objects = (await s3.listAll(BUCKET)).sort((a, b) => (a.key < b.key ? -1 : 1));
    const rows: string[][] = [];
    let folder = "";
    for (const o of objects) {
      const parts = o.key.split("/");
      const [head, rest] = [parts.slice(0, 2).join("/"), parts.slice(2).join("/")];
      if (head !== folder) rows.push([`  ${(folder = head)}/`, "", ""]);
      rows.push([`    ${rest}`, formatBytes(o.size), o.metadata.bytes ? `(${formatBytes(Number(o.metadata.bytes))} of log)` : ""]);
    }
    console.log(`s3://${BUCKET}/`);
    for (const line of formatTable(rows, ["left", "right", "left"])) console.log(line);
    const stored = objects.reduce((n, o) => n + o.size, 0);
    const read = objects.reduce((n, o) => n + Number(o.metadata.bytes ?? 0), 0);
    console.log(`\n${objects.length} objects, ${formatBytes(stored)} stored for ${formatBytes(read)} of logs.`);
    const copied = (run: { stdout: string }) => Number(/^ok: \d+ instance\(s\), (\d+) copied/m.exec(run.stdout)?.[1] ?? NaN);
    if ([plan.code, first.code, second.code].some((c) => c !== 0) || !(copied(first) > 0) || copied(second) !== 0) process.exitCode = 1;
  } finally {
    await rds.stop();
    await s3.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
