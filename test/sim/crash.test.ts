/**
 * A Lambda container killed in the middle of a run (a timeout, an out-of-memory kill): the serialized sync function's
 * host is SIGKILLed once while the upload of a large file is in flight, and once in the middle of the next run.
 * (A kill inside a multipart upload is covered for the CLI in test/engine/cli.test.ts: a sim file large enough
 * to need one after gzip would hold millions of ledger lines.)
 * Nothing partial may become visible, and fresh hosts (cold starts) must finish the work: every line exactly once.
 */
import assert from "node:assert/strict";
import { BUCKET, Simulation } from "./drive";
import { assertExactlyOnce } from "./assert-sim";
import { busyFirstHourPostgres, mysqlAudit, mysqlHourly } from "./scenarios";
import { HOUR, MINUTE } from "./time";

describe("sim (serialized): a host killed mid-copy, then fresh hosts", function () {
  this.timeout(180_000);

  it("leaves nothing partial, and the next runs archive every line exactly once", async () => {
    const sim = await Simulation.start({
      seed: 701,
      runner: "serialized",
      instances: (ctx) => [
        // 100,000 lines in the first hour, a file of several MB; quiet afterwards.
        busyFirstHourPostgres(ctx, "pg-big", 100_000),
        { id: "mysql-1", models: [mysqlHourly(ctx, "mysql-1"), mysqlAudit(ctx, "mysql-1", 4 * HOUR, 2)] },
      ],
    });
    const killBusyHosts = () => Promise.all(sim.hosts!.hosts.filter((h) => h.busy).map((h) => h.kill("SIGKILL")));
    try {
      sim.advanceTo(sim.now + HOUR + 10 * MINUTE);
      const big = sim.allFiles().find((f) => f.name === "error/postgresql.log.2024-10-01-00")!;
      assert.ok(big.served().length > 4 * 1024 * 1024, `${big.served().length} bytes`);

      // 1. Killed as the large file's upload arrives at S3.
      let killing: Promise<unknown> | undefined;
      sim.s3.onRequest = (r) => {
        if (!killing && r.method === "PUT" && r.path.includes("postgresql.log.2024-10-01-00")) killing = killBusyHosts();
      };
      const first = await sim.sync();
      await killing;
      sim.s3.onRequest = undefined;
      assert.equal(first.crashes.length, 1, "the run died");
      // Whether S3 got the whole body before the kill is up to timing; a part of it must never be visible.
      for (const o of await sim.s3.listAll(BUCKET, { prefix: "pg-big/" })) {
        if (!o.key.includes("2024-10-01-00")) continue;
        assert.ok((await sim.s3.getText(BUCKET, o.key, { gunzip: true })) === big.served().toString(), `${o.key} is partial`);
      }

      // 2. A fresh host, killed in the middle of its run: at its first download, or, when the first run had stored
      // everything before it died (the state it never saved is then rebuilt from the archive, so nothing is downloaded
      // again), at its first write to S3.
      const races = sim.rds.beforeDownload;
      let killedMidRun = false;
      const killOnce = async () => {
        if (killedMidRun) return;
        killedMidRun = true;
        await killBusyHosts();
      };
      sim.rds.beforeDownload = async (instance, file) => {
        await killOnce();
        await races?.(instance, file);
      };
      sim.s3.onRequest = (r) => {
        if (r.method === "PUT") void killOnce();
      };
      const second = await sim.sync();
      sim.rds.beforeDownload = races;
      sim.s3.onRequest = undefined;
      assert.ok(killedMidRun);
      assert.equal(second.crashes.length, 1, "the second run died too");

      // 3. Fresh hosts finish the work, through two more hours and the closing of every file.
      for (let i = 0; i < 8; i++) {
        sim.advanceTo(sim.now + 15 * MINUTE);
        await sim.sync();
      }
      for (const m of sim.models()) m.quiesce();
      for (const m of sim.models()) m.closeActive();
      sim.advanceTo(sim.now + 2 * HOUR);
      await sim.sync();
      await sim.sync();
      const result = await sim.result("killed hosts (serialized)");
      assert.equal(result.syncs.flatMap((s) => s.crashes).length, 2);
      assertExactlyOnce(result, { minRequired: 40_000 });
      assert.ok(result.failures.every((f) => f.includes("HostExited") || f.includes("host exited")), result.failures.join("\n"));
    } finally {
      await sim.stop();
    }
  });
});
