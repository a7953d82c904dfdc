import assert from "node:assert/strict";
import fc from "fast-check";
import { identifierProblem } from "../../archiver/rds-identifier";
import { dispatchSettingsFromEnv, dispatchSettingsToEnv, FAN_OUT_ENV, isSettingsError } from "../../archiver/settings";

const identifier = fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/).filter((s) => identifierProblem(s) === undefined);
const queueUrl = fc
  .tuple(fc.constantFrom("https://sqs.eu-west-1.amazonaws.com", "http://127.0.0.1:4566"), fc.stringMatching(/^\d{12}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,70}$/))
  .map(([origin, account, name]) => `${origin}/${account}/${name}.fifo`);

describe("fan-out: the dispatcher's settings in its environment", () => {
  it("reads back what was written", () => {
    fc.assert(
      fc.property(fc.uniqueArray(identifier, { maxLength: 5 }), fc.uniqueArray(identifier, { maxLength: 5 }), queueUrl, (instances, clusters, url) => {
        fc.pre(instances.length + clusters.length > 0);
        const s = { instances, clusters, queueUrl: url };
        assert.deepEqual(dispatchSettingsFromEnv(dispatchSettingsToEnv(s)), s);
      }),
    );
  });

  it("refuses, naming the variable, a queue that is not FIFO and a stage with no id", () => {
    const names = (env: NodeJS.ProcessEnv) => {
      try {
        dispatchSettingsFromEnv(env);
      } catch (err) {
        assert.ok(isSettingsError(err));
        return err.setting;
      }
      assert.fail("no SettingsError");
    };
    assert.equal(names({ RDS_INSTANCES: "a", [FAN_OUT_ENV.queueUrl]: "https://sqs.eu-west-1.amazonaws.com/123456789012/work" }), FAN_OUT_ENV.queueUrl);
    assert.equal(names({ [FAN_OUT_ENV.queueUrl]: "https://sqs.eu-west-1.amazonaws.com/123456789012/work.fifo" }), "RDS_INSTANCES/RDS_CLUSTERS");
    assert.equal(names({ RDS_INSTANCES: "Bad", [FAN_OUT_ENV.queueUrl]: "https://sqs.eu-west-1.amazonaws.com/123456789012/w.fifo" }), "RDS_INSTANCES");
  });
});
