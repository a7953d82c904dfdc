import { strict as assert } from "assert";
import { parseArgs, UsageError } from "../../archiver/cli/args";

describe("CLI argument parsing", () => {
  it("reads repeatable targets, prefixes and flags, in both --name value and --name=value forms", () => {
    const parsed = parseArgs(["sync", "--bucket=b-1", "--instance", "db1", "--instance", "db1", "--cluster", "c1", "--include", "audit/", "--concurrency", "8", "--read-timeout", "2.5", "--dry-run", "--json"]);
    assert.notEqual(parsed, "help");
    if (parsed === "help") return;
    assert.deepEqual(parsed.settings, {
      bucket: "b-1", instances: ["db1"], clusters: ["c1"], include: ["audit/"], concurrency: 8, activeRefreshMinutes: 0, dryRun: true,
      connectTimeoutSeconds: 10, readTimeoutSeconds: 2.5,
    });
    assert.equal(parsed.json, true);
  });

  it("names the option in every usage error", () => {
    const cases: [string[], RegExp][] = [
      [["sync", "--instance", "db1"], /--bucket: a bucket name is required/],
      [["sync", "--bucket", "b"], /--instance\/--cluster: name at least one instance or cluster/],
      [["sync", "--bucket", "b", "--instance", "db1", "--concurrency", "0"], /--concurrency: expected a whole number >= 1, got "0"/],
      [["sync", "--bucket", "b", "--instance", "db1", "--active-refresh-minutes", "x"], /--active-refresh-minutes: expected a whole number >= 0/],
      [["sync", "--bucket", "b", "--instance", "db1", "--read-timeout", "0"], /--read-timeout: expected a number of seconds > 0, got "0"/],
      [["sync", "--bucket", "b", "--instance", "db1", "--connect-timeout", "-1"], /--connect-timeout: expected a number of seconds > 0/],
      [["sync", "--bucket", "b", "--instance", "db1", "--connect-timeout=1e3"], /--connect-timeout: expected a number of seconds > 0/],
      [["sync", "--bucket", "b", "--bucket", "c", "--instance", "db1"], /--bucket given more than once/],
      [["sync", "--bucket", "--instance", "db1"], /--bucket needs a value/],
      [["sync", "--bucket", "b", "--cluster", "1bad"], /--cluster: "1bad" is not a valid RDS identifier/],
      [["sync", "--bucket", "b", "--instance", "db1", "--verbose"], /unknown option "--verbose"/],
      [["archive"], /unknown command "archive"/],
    ];
    for (const [argv, message] of cases) assert.throws(() => parseArgs(argv), (err: Error) => err instanceof UsageError && message.test(err.message), argv.join(" "));
  });

  it("answers help", () => {
    assert.equal(parseArgs([]), "help");
    assert.equal(parseArgs(["sync", "--help"]), "help");
  });
});
