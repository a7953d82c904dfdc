/**
 * Deterministic, realistic log content for the bench.
 *
 * - Line generators per engine (PostgreSQL, MySQL slow query, audit plugin / Aurora audit, SQL Server ERROR),
 *   driven by a seeded PRNG, so every run produces the same bytes.
 * - `bigLogContent(size)`: a FakeRds `generate(start, end)` content of any size that is never held in memory.
 *   It is built from a pool of 64 KiB blocks of PostgreSQL lines (64 MiB in the bench process); block i of
 *   the file is pool block hash(i) mod P. Repeats are far apart (> 32 KiB, the deflate window), so the
 *   compression ratio and the gzip speed are those of the lines themselves, and serving a range costs a memcpy,
 *   which keeps the fake RDS's CPU share small next to the sync process being measured.
 */
import type { FakeContent } from "../../local-aws/fake-rds";
import { SeededRandom } from "../../local-aws/seeded-random";

const CLIENT_IPS = Array.from({ length: 48 }, (_, i) => `10.0.${(i * 37) % 16}.${(i * 101) % 250 + 4}`);
const PIDS = Array.from({ length: 300 }, (_, i) => 1000 + ((i * 7919) % 30000));

/** Clients come from a few dozen application hosts, as behind a connection pool. */
function clientIp(r: SeededRandom): string {
  return r.skewed(CLIENT_IPS);
}

/** Backend process ids: a pool of long-lived connections. */
function backendPid(r: SeededRandom): number {
  return r.pick(PIDS);
}
const USERS = ["app", "app", "app", "reporting", "etl", "admin", "rdsadmin", "billing_ro"];
const DBS = ["billing", "shop", "shop", "analytics"];
const TABLES = ["orders", "customers", "invoices", "line_items", "payments", "sessions", "events", "bestellungen", "products"];
const COLUMNS = ["id", "customer_id", "created_at", "status", "updated_at", "email", "amount", "currency"];
const STATUSES = ["'pending'", "'paid'", "'shipped'", "'versandt'", "'refunded'", "'cancelled'"];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "2024-10-01 12:34:56" (UTC) */
export function sqlTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function statement(r: SeededRandom): string {
  const t = r.skewed(TABLES);
  switch (r.below(6)) {
    case 0:
      return `SELECT * FROM ${t} WHERE ${r.pick(COLUMNS)} = ${r.below(1_000_000)} ORDER BY created_at DESC LIMIT ${r.pick([10, 20, 50, 100])}`;
    case 1:
      return `UPDATE ${t} SET status = ${r.pick(STATUSES)}, updated_at = now() WHERE id = ${r.below(10_000_000)}`;
    case 2:
      return `INSERT INTO ${t} (customer_id, amount, currency, note) VALUES (${r.below(500_000)}, ${r.below(100_000) / 100}, '${r.pick(["EUR", "USD", "GBP"])}', 'café €${r.below(999)}')`;
    case 3:
      return `SELECT c.id, sum(o.amount) FROM customers c JOIN ${t} o ON o.customer_id = c.id WHERE o.created_at > now() - interval '${r.pick([1, 7, 30])} days' GROUP BY c.id`;
    case 4:
      return `DELETE FROM sessions WHERE expires_at < now() - interval '${r.below(48)} hours'`;
    default:
      return `SELECT count(*) FROM ${t} WHERE status IN (${r.pick(STATUSES)}, ${r.pick(STATUSES)})`;
  }
}

/** One PostgreSQL log line (log_line_prefix '%t:%r:%u@%d:[%p]:'), newline included. */
export function postgresLine(r: SeededRandom, ms: number): string {
  const prefix = `${sqlTime(ms)} UTC:${clientIp(r)}(${40000 + r.below(25000)}):${r.skewed(USERS)}@${r.skewed(DBS)}:[${backendPid(r)}]:`;
  const k = r.below(100);
  if (k < 70) return `${prefix}LOG:  duration: ${r.below(3000)}.${r.below(1000)} ms  statement: ${statement(r)}\n`;
  if (k < 80) return `${prefix}LOG:  connection authorized: user=${r.skewed(USERS)} database=${r.skewed(DBS)} SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)\n`;
  if (k < 88) return `${prefix}LOG:  disconnection: session time: 0:${two(r.below(60))}:${two(r.below(60))}.${r.below(1000)} user=${r.skewed(USERS)} database=${r.skewed(DBS)} host=${clientIp(r)} port=${40000 + r.below(25000)}\n`;
  if (k < 94) return `${prefix}ERROR:  duplicate key value violates unique constraint "${r.skewed(TABLES)}_pkey"\n${prefix}DETAIL:  Key (id)=(${r.below(10_000_000)}) already exists.\n${prefix}STATEMENT:  ${statement(r)}\n`;
  if (k < 98) return `${prefix}LOG:  checkpoint complete: wrote ${r.below(5000)} buffers (${r.below(30)}.${r.below(10)}%); 0 WAL file(s) added, 0 removed, ${r.below(3)} recycled; write=${r.below(270)}.${r.below(1000)} s, sync=0.${r.below(1000)} s, total=${r.below(270)}.${r.below(1000)} s\n`;
  return `${prefix}WARNING:  there is no transaction in progress\n`;
}

/** One MySQL slow query log entry (several lines). */
export function mysqlSlowEntry(r: SeededRandom, ms: number, instance: string): string {
  const iso = new Date(ms).toISOString().replace("Z", "000Z");
  const user = r.skewed(USERS);
  return (
    `# Time: ${iso}\n# User@Host: ${user}[${user}] @  [${clientIp(r)}]  Id: ${1000 + r.below(90000)}\n` +
    `# Query_time: ${(1 + r.below(9000) / 1000).toFixed(6)}  Lock_time: 0.000${r.below(999)} Rows_sent: ${r.below(500)}  Rows_examined: ${r.below(2_000_000)}\n` +
    `use ${r.skewed(DBS)};\nSET timestamp=${Math.floor(ms / 1000)};\n${statement(r)}; /* ${instance} */\n`
  );
}

/** One MariaDB audit plugin / Aurora MySQL advanced auditing line. */
export function auditLine(r: SeededRandom, ms: number, host: string): string {
  const ts = new Date(ms).toISOString().replace(/[-T:]/g, "").slice(0, 8) + " " + new Date(ms).toISOString().slice(11, 19);
  const op = r.pick(["QUERY", "QUERY", "QUERY", "CONNECT", "DISCONNECT", "READ", "WRITE"]);
  const query = op === "QUERY" ? `'${statement(r).replace(/'/g, "\\'")}'` : "''";
  return `${ts},${host},${r.skewed(USERS)},${clientIp(r)},${r.below(99999)},${r.below(9_999_999)},${op},${r.skewed(DBS)},${query},0\n`;
}

/** One SQL Server ERROR log line. */
export function sqlServerLine(r: SeededRandom, ms: number): string {
  const t = `${sqlTime(ms)}.${two(r.below(100))}`;
  const spid = `spid${50 + r.below(200)}`.padEnd(10);
  const k = r.below(10);
  if (k < 6) return `${t} Logon       Login succeeded for user '${r.skewed(USERS)}'. Connection made using SQL Server authentication. [CLIENT: ${clientIp(r)}]\n`;
  if (k < 8) return `${t} Logon       Error: 18456, Severity: 14, State: 8.\n${t} Logon       Login failed for user '${r.skewed(USERS)}'. Reason: Password did not match that for the login provided. [CLIENT: ${clientIp(r)}]\n`;
  if (k < 9) return `${t} ${spid}Log was backed up. Database: ${r.skewed(DBS)}, creation date(time): 2024/09/01(00:00:00), pages dumped: ${r.below(9999)}, first LSN: ${r.below(99999)}:${r.below(9999)}:1, last LSN: ${r.below(99999)}:${r.below(9999)}:1, number of dump devices: 1. This is an informational message only.\n`;
  return `${t} ${spid}I/O is frozen on database ${r.skewed(DBS)}. No user action is required.\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Big files: a pool of blocks, served by range.

export const BLOCK_SIZE = 64 * 1024;
const DEFAULT_POOL_BLOCKS = 1024;

function buildBlock(seed: number, startMs: number): Buffer {
  const r = new SeededRandom(seed);
  const parts: Buffer[] = [];
  let used = 0;
  let t = startMs;
  for (;;) {
    t += r.below(400);
    const line = Buffer.from(postgresLine(r, t), "utf8");
    if (used + line.length > BLOCK_SIZE) break;
    parts.push(line);
    used += line.length;
  }
  // pad the last line with trailing spaces so the block ends exactly on a line boundary
  const pad = BLOCK_SIZE - used;
  const last = parts[parts.length - 1];
  parts[parts.length - 1] = Buffer.concat([last.subarray(0, last.length - 1), Buffer.alloc(pad, " "), Buffer.from("\n")]);
  const block = Buffer.concat(parts);
  if (block.length !== BLOCK_SIZE) throw new Error(`block of ${block.length} bytes`);
  return block;
}

let pool: Buffer[] | undefined;

/** The shared block pool (64 MiB), built once; BENCH_QUICK uses a smaller one. */
export function blockPool(blocks = DEFAULT_POOL_BLOCKS): Buffer[] {
  if (!pool || pool.length !== blocks) {
    const start = Date.UTC(2024, 9, 1);
    pool = Array.from({ length: blocks }, (_, i) => buildBlock(0x5eed + i, start + i * 30_000));
  }
  return pool;
}

function mix(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** `size` bytes of PostgreSQL log lines (the size is rounded down to whole lines only at block ends). */
export function bigLogContent(size: number, blocks?: Buffer[]): FakeContent & { generate(start: number, end: number): Buffer } {
  const p = blocks ?? blockPool();
  return {
    size,
    generate(start, end) {
      const out = Buffer.allocUnsafe(end - start);
      let at = start;
      while (at < end) {
        const index = Math.floor(at / BLOCK_SIZE);
        const block = p[mix(index) % p.length];
        const offset = at - index * BLOCK_SIZE;
        const n = Math.min(BLOCK_SIZE - offset, end - at);
        block.copy(out, at - start, offset, offset + n);
        at += n;
      }
      return out;
    },
  };
}
