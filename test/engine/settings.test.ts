import { strict as assert } from "assert";
import fc from "fast-check";
import { identifierProblem } from "../../archiver/rds-identifier";
import {
  ENV,
  isSettingsError,
  logSubscriptionSettingsFromEnv,
  logSubscriptionSettingsToEnv,
  rdsEventsSettingsFromEnv,
  rdsEventsSettingsToEnv,
  settingsFromEnv,
  settingsToEnv,
  SETTING_RANGES,
  type SyncSettings,
} from "../../archiver/settings";

/** Identifiers RDS accepts: lower case, letter first, no "--", no trailing "-". */
const id = fc.stringMatching(/^[a-z](-?[a-z0-9])*$/).filter((s) => s.length <= 63);
const prefix = fc.stringMatching(/^[^\s,]{1,12}$/);
const settingsArb: fc.Arbitrary<SyncSettings> = fc
  .record({
    bucket: fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/),
    instances: fc.uniqueArray(id, { maxLength: 4 }),
    clusters: fc.uniqueArray(id, { maxLength: 3 }),
    include: fc.uniqueArray(prefix, { maxLength: 3 }),
    concurrency: fc.integer({ min: SETTING_RANGES.concurrency[0], max: SETTING_RANGES.concurrency[1] }),
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

describe("the events and subscription functions' environment", () => {
  const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9.-]{2,20}$/);

  it("rdsEventsSettingsFromEnv reads back exactly what rdsEventsSettingsToEnv wrote", () => {
    const settings = fc.record({ bucket, instances: fc.uniqueArray(id, { maxLength: 4 }), clusters: fc.uniqueArray(id, { maxLength: 3 }) });
    fc.assert(fc.property(settings, (s) => assert.deepEqual(rdsEventsSettingsFromEnv(rdsEventsSettingsToEnv(s)), { ...s })));
  });

  it("logSubscriptionSettingsFromEnv reads back exactly what logSubscriptionSettingsToEnv wrote", () => {
    fc.assert(fc.property(bucket, (b) => assert.deepEqual(logSubscriptionSettingsFromEnv(logSubscriptionSettingsToEnv({ bucket: b })), { bucket: b })));
  });

  it("each names the variable that is missing or wrong", () => {
    assert.throws(() => rdsEventsSettingsFromEnv({ [ENV.instances]: "db1" }), (e: unknown) => isSettingsError(e) && e.setting === ENV.bucket);
    assert.throws(() => logSubscriptionSettingsFromEnv({}), (e: unknown) => isSettingsError(e) && e.setting === ENV.bucket);
    assert.throws(
      () => rdsEventsSettingsFromEnv({ [ENV.bucket]: "b", [ENV.clusters]: "Orders" }),
      (e: unknown) => isSettingsError(e) && e.setting === ENV.clusters && /write "orders"/.test(e.message),
    );
  });
});

describe("numbers in the environment", () => {
  it("are plain decimal whole numbers within the stack's range: 1e1, 0x10, 1.0 and 33 are refused, naming the variable", () => {
    for (const raw of ["1e1", "0x10", "1.0", "+4", "33", "0"]) {
      assert.throws(
        () => settingsFromEnv({ [ENV.bucket]: "b", [ENV.instances]: "db1", [ENV.concurrency]: raw }),
        (e: unknown) => isSettingsError(e) && e.setting === ENV.concurrency && e.message.includes(`got "${raw}"`),
        raw,
      );
    }
    assert.equal(settingsFromEnv({ [ENV.bucket]: "b", [ENV.instances]: "db1", [ENV.concurrency]: "32" }).concurrency, 32);
    assert.throws(() => settingsFromEnv({ [ENV.bucket]: "b", [ENV.instances]: "db1", [ENV.readTimeoutSeconds]: "1e3" }), /READ_TIMEOUT_SECONDS: expected a number of seconds > 0, got "1e3"/);
  });
});

describe("one RDS identifier rule for config, CLI and environment", () => {
  it("accepts exactly 1-63 lower-case letters, digits and hyphens, letter first, no '--', no trailing '-'", () => {
    const rule = (s: string) => s.length <= 63 && /^[a-z][a-z0-9-]*$/.test(s) && !s.includes("--") && !s.endsWith("-");
    fc.assert(fc.property(fc.stringMatching(/^[a-zA-Z0-9_-]{0,70}$/), (s) => assert.equal(identifierProblem(s) === undefined, rule(s), s)));
    fc.assert(fc.property(id, (s) => assert.equal(identifierProblem(s), undefined)));
  });

  it("refuses upper case with the spelling to write, in the Lambda environment as in the stack config", () => {
    assert.match(identifierProblem("Prod-DB") ?? "", /write "prod-db"/);
    assert.throws(() => settingsFromEnv({ [ENV.bucket]: "b", [ENV.instances]: "Prod-DB" }), /RDS_INSTANCES: "Prod-DB": RDS stores identifiers in lower case/);
  });
});
