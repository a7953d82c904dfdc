/** verify through the CLI in a child process, against the fake RDS and s3rver: the table, the exit status and --json. */
import { strict as assert } from "assert";
import { CopyObjectCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";
import type { VerifyReport } from "../../archiver/verify/verify-report";
import { BUCKET, HOUR, lines, startHarness, type Harness } from "../engine/harness";
import { runCli as cli } from "../engine/cli-process";

describe("verify through the CLI (child process)", function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
    h.rds.addInstance("db1");
  });
  after(async () => h.stop());

  it("exit 0 on an intact archive; a deleted object and removed metadata are named, exit 1; --json has the same totals", async () => {
    // Real time: the child judges what is closed by its own clock. Every file is closed hours ago.
    const base = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;
    const stamp = (n: number) => new Date(base + n * HOUR).toISOString().slice(0, 13).replace("T", "-");
    const keyOf = (n: number) => `db1/error/${stamp(n).slice(0, 10).replace(/-/g, "/")}/${stamp(n).slice(11)}/db1/postgresql.log.${stamp(n)}.gz`;
    for (let n = 0; n < 4; n++) h.rds.putFile("db1", { name: `error/postgresql.log.${stamp(n)}`, lastWritten: base + n * HOUR + 50 * 60_000, content: Buffer.from(lines(`h${n}`, 5)) });
    assert.equal((await h.sync({ instances: ["db1"] })).ok, true);
    const args = ["verify", "--bucket", BUCKET, "--instance", "db1"];

    const clean = await cli([...args, "--deep"], h.env);
    assert.equal(clean.code, 0, clean.stderr + clean.stdout);
    assert.match(clean.stdout, /^ok: 1 instance\(s\), 4 listed: 4 archived, 0 pending, 0 deferred, 0 missing; 4 object\(s\) checked \(deep\), 0 mismatched/m);

    const s3 = h.s3.client();
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: keyOf(1) }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: keyOf(2), CopySource: `${BUCKET}/${keyOf(2)}`, MetadataDirective: "REPLACE", Metadata: {} }));
    const altered = await cli(args, h.env);
    assert.equal(altered.code, 1);
    const problems = altered.stdout.split("\n").filter((l) => /^(MISSING|MISMATCHED|deferred|ERROR)/.test(l)).map((l) => l.split(":")[0]);
    assert.deepEqual(problems.sort(), [
      `MISMATCHED ${keyOf(2)}`, `MISSING db1 error/postgresql.log.${stamp(1)} -> ${keyOf(1)}`, `MISSING db1 error/postgresql.log.${stamp(2)} -> ${keyOf(2)}`,
    ].sort());
    assert.match(altered.stdout, new RegExp(`MISMATCHED ${keyOf(2)}: no-metadata`));

    const json = await cli([...args, "--json"], h.env);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as VerifyReport;
    assert.deepEqual([report.totals.missing, report.totals.mismatched, report.ok], [2, 1, false]);

    const usage = await cli(["verify", "--instance", "db1"], h.env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--bucket is required/);
  });
});
