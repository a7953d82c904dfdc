// The component's arguments without Pulumi: plain values read by the stack config's own validator.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, parseConfig } from "../../infra/config";
import { argumentName, settingsSource, validateSettings } from "../../infra/rds-log-archive";

const configs = fc.record({
  bucketName: fc.constantFrom("prod-rds-logs", "a1"),
  instances: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 3 }),
  include: fc.uniqueArray(fc.constantFrom("error/", "audit/", "slowquery/", "postgresql"), { maxLength: 3 }),
  memorySize: fc.integer({ min: 128, max: 10240 }),
  versioning: fc.boolean(),
  athena: fc.boolean(),
  objectLockMode: fc.constantFrom("", "GOVERNANCE", "compliance"),
  objectLockRetentionDays: fc.integer({ min: 1, max: 36500 }),
});

describe("infra/rds-log-archive: arguments", () => {
  it("property: plain arguments read as the stack config reads the same values, and a validated config reads back unchanged", () => {
    fc.assert(
      fc.property(configs, (args) => {
        const settings = { ...args, objectLockRetentionDays: args.objectLockMode ? args.objectLockRetentionDays : 0 };
        const config = validateSettings(settings, argumentName("a"));
        const asStackConfig = (key: string) => {
          const v = (settings as Record<string, unknown>)[key];
          return v === undefined ? undefined : Array.isArray(v) ? JSON.stringify(v) : String(v);
        };
        assert.deepEqual(config, parseConfig(asStackConfig));
        assert.deepEqual(parseConfig(settingsSource(config)), config);
      }),
      { numRuns: 200 },
    );
  });

  it("names each bad argument after the component, every problem at once", () => {
    let err: unknown;
    try {
      validateSettings({ bucketName: "Bad_Name", instances: [], objectLockMode: "GOVERNANCE", activeRefreshMinutes: 5, objectLockRetentionDays: 1 }, argumentName("orders"));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems.map((p) => p.key).sort(), ["activeRefreshMinutes", "bucketName", "instances", "objectLockMode"]);
    for (const key of ["bucketName", "instances", "objectLockMode", "activeRefreshMinutes"]) assert.match(err.message, new RegExp(`RdsLogArchive "orders": args\\.${key}: `));
    assert.doesNotMatch(err.message, /rds-log-archiver:bucketName/);
  });
});
