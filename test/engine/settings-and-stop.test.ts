import { strict as assert } from "assert";
import fc from "fast-check";
import { settingsFromEnv, isSettingsError } from "../../archiver/settings";
import { DEADLINE_MARGIN_MS, DEADLINE_REASON, runStop } from "../../archiver/sync/stop";

const BASE_ENV = { ARCHIVE_BUCKET: "b", RDS_INSTANCES: "db1" };

describe("timeout settings", () => {
  it("take any positive number of seconds, fractions included, and default to 10 and 60", () => {
    assert.deepEqual(
      [settingsFromEnv(BASE_ENV).connectTimeoutSeconds, settingsFromEnv(BASE_ENV).readTimeoutSeconds],
      [10, 60],
    );
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e6, noNaN: true }), (seconds) => {
        const s = settingsFromEnv({ ...BASE_ENV, CONNECT_TIMEOUT_SECONDS: String(seconds), READ_TIMEOUT_SECONDS: ` ${seconds} ` });
        return s.connectTimeoutSeconds === seconds && s.readTimeoutSeconds === seconds;
      }),
    );
  });

  it("refuse zero, negatives and anything not a plain number, naming the variable", () => {
    const bad = fc.oneof(fc.constantFrom("0", "0.0", "-1", "1e3", "Infinity", "NaN", "0x10", "1s", "."), fc.string().filter((s) => s.trim() !== "" && !/^\s*\d*\.?\d+\s*$/.test(s)));
    fc.assert(
      fc.property(bad, (raw) => {
        assert.throws(() => settingsFromEnv({ ...BASE_ENV, READ_TIMEOUT_SECONDS: raw }), (e: Error) => isSettingsError(e) && /^READ_TIMEOUT_SECONDS: /.test(e.message));
      }),
    );
  });
});

describe("runStop", () => {
  it("passes on the reason of an outer abort, once", () => {
    const outer = new AbortController();
    const stop = runStop(outer.signal, undefined);
    assert.equal(stop.signal.aborted, false);
    outer.abort("interrupted by SIGINT");
    assert.equal(stop.signal.reason, "interrupted by SIGINT");
    stop.dispose();
  });

  it("stops when the time left falls under the margin, and not after dispose", async () => {
    let left = DEADLINE_MARGIN_MS + 5_000;
    const stop = runStop(undefined, () => left);
    const disposed = runStop(undefined, () => left);
    disposed.dispose();
    assert.equal(stop.signal.aborted, false);
    left = DEADLINE_MARGIN_MS - 1;
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(stop.signal.reason, DEADLINE_REASON);
    assert.equal(disposed.signal.aborted, false);
    stop.dispose();
  });
});
