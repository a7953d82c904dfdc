import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { main, type StopSignal } from "../../archiver/cli/main";
import { BUCKET, HOUR, startHarness, type Harness } from "./harness";

describe("CLI signal handling, in-process", function () {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.rds.addInstance("db1");
    h.rds.putFile("db1", { name: "trace/big.trc", lastWritten: Date.now() - 5 * HOUR, content: randomBytes(24 * 1024 * 1024) });
    h.rds.injectFault({ on: "download", kind: "stall-mid-body", file: "trace/big.trc" }); // in flight until stopped
  });
  afterEach(async () => h.stop());

  it("the first signal stops gracefully, a second exits at once, and the handlers are removed afterwards", async () => {
    let onSignal: ((s: StopSignal) => void) | undefined;
    const exits: number[] = [];
    const stderr: string[] = [];
    const run = main(["sync", "--bucket", BUCKET, "--instance", "db1"], {
      stdout: () => undefined,
      stderr: (t) => stderr.push(t),
      env: h.env,
      trapSignals: (handler) => {
        onSignal = handler;
        return () => (onSignal = undefined);
      },
      exitNow: (code) => exits.push(code),
    });
    const partUploaded = () => h.s3.requests.some((r) => r.method === "PUT" && r.query.includes("partNumber"));
    for (let i = 0; i < 800 && !partUploaded(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(onSignal, "handlers are installed while the run is in progress");
    onSignal("SIGTERM");
    assert.deepEqual(exits, [], "the first signal does not exit");
    onSignal("SIGTERM");
    assert.deepEqual(exits, [143], "the second exits at once");
    assert.equal(await run, 143);
    assert.equal(onSignal, undefined, "released once the run is over");
    assert.match(stderr.join("\n"), /SIGTERM: aborting the copies in flight and saving what finished; SIGTERM again exits at once/);
    assert.deepEqual(await h.s3.openUploads(BUCKET), []);
  });
});
