import { strict as assert } from "assert";
import fc from "fast-check";
import { ENV, isSettingsError, settingsFromEnv, settingsToEnv, type SyncSettings } from "../../archiver/settings";

const id = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9-]{0,20}$/);
const prefix = fc.stringMatching(/^[^\s,]{1,12}$/);
const settingsArb: fc.Arbitrary<SyncSettings> = fc
  .record({
    bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/),
    instances: fc.uniqueArray(id, { maxLength: 4 }),
    clusters: fc.uniqueArray(id, { maxLength: 3 }),
    include: fc.uniqueArray(prefix, { maxLength: 3 }),
    concurrency: fc.integer({ min: 1, max: 64 }),
    activeRefreshMinutes: fc.integer({ min: 0, max: 1440 }),
    // milliseconds and up: what a person writes, and what String() prints without an exponent
    connectTimeoutSeconds: fc.integer({ min: 1, max: 3_600_000 }).map((ms) => ms / 1000),
    readTimeoutSeconds: fc.integer({ min: 1, max: 3_600_000 }).map((ms) => ms / 1000),
  })
  .filter((s) => s.instances.length + s.clusters.length > 0)
  .map((s) => ({ ...s, dryRun: false }));

describe("settings as Lambda environment variables", () => {
  it("settingsFromEnv reads back exactly what settingsToEnv wrote", () => {
    fc.assert(fc.property(settingsArb, (s) => assert.deepEqual(settingsFromEnv(settingsToEnv(s)), s)));
  });

  it("writes exactly the variables ENV names", () => {
    fc.assert(fc.property(settingsArb, (s) => assert.deepEqual(Object.keys(settingsToEnv(s)).sort(), Object.values(ENV).sort())));
  });

  it("refuses a list item that a comma-separated list cannot carry, naming its variable", () => {
    const separator = fc.constantFrom(",", " ", "\t", "\n");
    fc.assert(
      fc.property(settingsArb, prefix, separator, prefix, (s, before, sep, after) => {
        assert.throws(
          () => settingsToEnv({ ...s, include: [...s.include, `${before}${sep}${after}`] }),
          (err: unknown) => isSettingsError(err) && err.setting === ENV.include,
        );
      }),
    );
    assert.throws(() => settingsToEnv({ bucket: "b", instances: [""], clusters: [], include: [], concurrency: 1, activeRefreshMinutes: 0, connectTimeoutSeconds: 1, readTimeoutSeconds: 1 }), /RDS_INSTANCES/);
  });
});
