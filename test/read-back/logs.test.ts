import { strict as assert } from "assert";
import { spawn } from "child_process";
import { PassThrough } from "stream";
import { createClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { hoursToList } from "../../archiver/read-back/read-plan";
import { NOT_ARCHIVED_MARK, readLogs, type ReadLogsRequest } from "../../archiver/read-back/read-logs";
import { BIN, compiledCodeBuilt } from "../engine/cli-process";
import { BUCKET, HOUR, startHarness, type Harness } from "../engine/harness";

const MINUTE = 60_000;
// Real time: the CLI in a child process judges what is closed by its own clock.
const START = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
const at = (ms: number) => new Date(START + ms).toISOString();
const stamp = (h: number) => new Date(START + h * HOUR).toISOString().slice(0, 13).replace("T", "-");

/** Hourly PostgreSQL files for hours 0..8 (a line every 10 minutes) and a slow query log whose lines interleave with them. */
function fill(h: Harness): string[] {
  const all: string[] = [];
  for (let hour = 0; hour <= 8; hour++) {
    const lines = Array.from({ length: 6 }, (_, i) => `${at(hour * HOUR + i * 10 * MINUTE)} UTC::@:[7]:LOG:  hour ${hour} line ${i}`);
    all.push(...lines);
    h.rds.putFile("db1", { name: `error/postgresql.log.${stamp(hour)}`, lastWritten: START + hour * HOUR + 55 * MINUTE, content: Buffer.from(lines.join("\n") + "\n") });
  }
  const slow = Array.from({ length: 12 }, (_, i) => [`# Time: ${at(2 * HOUR + i * 15 * MINUTE + 5 * MINUTE)}`, `SELECT ${i};`]);
  h.rds.putFile("db1", { name: "slowquery/mysql-slowquery.log.x", lastWritten: START + 5 * HOUR, content: Buffer.from(slow.flat().join("\n") + "\n") });
  all.push(...slow.flat());
  return all;
}

function cli(args: string[], env: NodeJS.ProcessEnv, stopAfterBytes?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      // `| head -c N`: the reader goes away.
      if (stopAfterBytes !== undefined && stdout.length >= stopAfterBytes) child.stdout.destroy();
    });
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("logs against s3rver (and the fake RDS for --with-active)", function () {
  this.timeout(60_000);
  let h: Harness;
  let written: string[];
  before(async () => {
    await compiledCodeBuilt();
    h = await startHarness();
    h.rds.addInstance("db1");
    written = fill(h);
    const r = await h.sync({ instances: ["db1"] });
    assert.equal(r.ok, true, JSON.stringify(r.errors));
  });
  after(async () => h.stop());

  async function read(o: Partial<ReadLogsRequest>): Promise<{ lines: string[]; notes: string[] }> {
    const aws = await createClients(loadAwsSdk(), h.env);
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    const notes: string[] = [];
    await readLogs(
      { bucket: BUCKET, group: "db1", instance: "db1", types: [], range: { from: START, to: START + 10 * HOUR }, withActive: false, ...o },
      { aws, out, note: (l) => notes.push(l), now: Date.now },
    );
    return { lines: text.split("\n").filter(Boolean), notes };
  }

  it("prints exactly the lines of the range in time order, listing only the hours it needs", async () => {
    const range = { from: START + 2 * HOUR + 20 * MINUTE, to: START + 3 * HOUR + 30 * MINUTE };
    h.s3.resetRequests();
    const { lines, notes } = await read({ range });
    const times = (l: string) => Date.parse(/\d{4}-\S+Z/.exec(l)?.[0] ?? "");
    const expectedTimed = written.filter((l) => !Number.isNaN(times(l)) && times(l) >= range.from && times(l) < range.to);
    assert.deepEqual(lines.filter((l) => !l.startsWith("SELECT")).sort(), expectedTimed.sort());
    // A `# Time:` line is followed by its statement, and time order holds across the two logs.
    lines.forEach((l, i) => l.startsWith("# Time") && assert.match(lines[i + 1], /^SELECT \d+;$/));
    const t = lines.filter((l) => !l.startsWith("SELECT")).map(times);
    t.forEach((x, i) => i > 0 && assert.ok(x >= t[i - 1]));
    assert.deepEqual(notes, []);
    const listings = h.s3.requests.filter((r) => r.method === "GET" && r.query.includes("list-type=2"));
    const prefixes = listings.map((r) => decodeURIComponent(/prefix=([^&]*)/.exec(r.query)?.[1] ?? ""));
    assert.ok(prefixes.every((p) => p.startsWith("db1/")), `listed outside the instance: ${prefixes.join(" ")}`);
    assert.equal(listings.filter((r) => r.query.includes("delimiter")).length, 1, "one listing of the logtypes");
    assert.equal(prefixes.filter((p) => /\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/db1\/$/.test(p)).length, 2 * hoursToList(range).length, "one listing per logtype and hour");
  });

  it("--type and --grep narrow the lines", async () => {
    const { lines } = await read({ types: ["error"], grep: /line [05]$/ });
    assert.deepEqual(lines, written.filter((l) => / UTC::.* line [05]$/.test(l)));
  });

  it("--with-active appends what RDS holds but has not archived, marked", async () => {
    const active = `${at(9 * HOUR + 5 * MINUTE)} UTC::@:[7]:LOG:  not archived yet`;
    h.rds.putFile("db1", { name: `error/postgresql.log.${stamp(9)}`, lastWritten: Date.now(), content: Buffer.from(`${active}\n`) });
    const { lines } = await read({ withActive: true });
    assert.equal(lines.at(-1), `${NOT_ARCHIVED_MARK} error/postgresql.log.${stamp(9)}: ${active}`);
    assert.equal(lines.filter((l) => l.startsWith(NOT_ARCHIVED_MARK)).length, 1);
    assert.deepEqual((await read({ withActive: false })).lines.filter((l) => l.includes("not archived")), []);
  });

  it("as a child process: stops cleanly when its reader goes away, exit 0", async () => {
    const r = await cli(["logs", "--bucket", BUCKET, "--instance", "db1", "--from", "11h"], h.env, 10);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const full = await cli(["logs", "--bucket", BUCKET, "--instance", "db1", "--from", "11h"], h.env);
    assert.equal(full.code, 0, full.stderr);
    assert.ok(full.stdout.startsWith(r.stdout) && full.stdout.split("\n").length > 60);
  });

  it("as a child process: an empty range prints nothing, exits 0, and says so on stderr; --from after --to is a usage error", async () => {
    const empty = await cli(["logs", "--bucket", BUCKET, "--instance", "db1", "--from", "2020-01-01T00:00Z", "--to", "2020-01-01T01:00Z"], h.env);
    assert.deepEqual([empty.code, empty.stdout], [0, ""]);
    assert.match(empty.stderr, /no archived objects of db1 between 2020-01-01T00:00:00.000Z and 2020-01-01T01:00:00.000Z/);
    const backwards = await cli(["logs", "--bucket", BUCKET, "--instance", "db1", "--from", "1h", "--to", "2h"], h.env);
    assert.equal(backwards.code, 2);
    assert.match(backwards.stderr, /--from \(.*\) is after --to/);
  });
});
