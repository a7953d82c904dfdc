import { strict as assert } from "assert";
import fc from "fast-check";
import { parseCommandLine, syncSettings, type SyncValues } from "../../archiver/cli/args";
import { awsEnv } from "../../archiver/cli/global-options";
import { COMMANDS } from "../../archiver/cli/main";
import { isUsageError, parseOptions } from "../../archiver/cli/options";
import { parseSeconds, parseWholeNumber } from "../../archiver/numbers";
import { SETTING_RANGES } from "../../archiver/settings";
import { LIMITS } from "../../infra/config/defaults";

function parseSync(argv: string[]) {
  const line = parseCommandLine(argv, COMMANDS);
  assert.equal(line.kind, "run");
  if (line.kind !== "run") throw new Error("unreachable");
  return { settings: syncSettings(line.values as SyncValues), global: line.global };
}

describe("CLI argument parsing", () => {
  it("reads repeatable targets, prefixes and flags, in both --name value and --name=value forms", () => {
    const parsed = parseSync(["sync", "--bucket=b-1", "--instance", "db1", "--instance", "db1", "--cluster", "c1", "--include", "audit/", "--concurrency", "8", "--read-timeout", "2.5", "--dry-run", "--json"]);
    assert.deepEqual(parsed.settings, {
      bucket: "b-1", instances: ["db1"], clusters: ["c1"], include: ["audit/"], concurrency: 8, activeRefreshMinutes: 0, dryRun: true,
      connectTimeoutSeconds: 10, readTimeoutSeconds: 2.5,
    });
    assert.equal(parsed.global.output, "json");
  });

  it("takes the global options before or after the command, as the AWS CLI does", () => {
    const before = parseSync(["--region", "eu-west-1", "--profile=archive", "sync", "--bucket", "b-1", "--instance", "db1", "--quiet"]);
    const after = parseSync(["sync", "--bucket", "b-1", "--instance", "db1", "--region=eu-west-1", "--profile", "archive", "--quiet"]);
    for (const p of [before, after]) assert.deepEqual(p.global, { region: "eu-west-1", profile: "archive", output: "table", quiet: true, verbose: false });
    assert.equal(parseSync(["sync", "--bucket", "b-1", "--instance", "db1", "--output", "json"]).global.output, "json");
  });

  it("names the option in every usage error, in one line", () => {
    const cases: [string[], RegExp][] = [
      [["sync", "--instance", "db1"], /^--bucket: a bucket name is required$/],
      [["sync", "--bucket", "b"], /^--instance\/--cluster: name at least one instance or cluster$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--concurrency", "0"], /^--concurrency: expected a whole number from 1 to 32, got "0"$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--concurrency", "33"], /^--concurrency: expected a whole number from 1 to 32, got "33"$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--concurrency", "1e1"], /^--concurrency: expected a whole number/],
      [["sync", "--bucket", "b", "--instance", "db1", "--concurrency=0x10"], /^--concurrency: expected a whole number/],
      [["sync", "--bucket", "b", "--instance", "db1", "--active-refresh-minutes", "x"], /^--active-refresh-minutes: expected a whole number from 0 to 10080/],
      [["sync", "--bucket", "b", "--instance", "db1", "--read-timeout", "0"], /^--read-timeout: expected a number of seconds > 0, got "0"$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--connect-timeout", "-1"], /^--connect-timeout: expected a number of seconds > 0, got "-1"$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--connect-timeout=1e3"], /^--connect-timeout: expected a number of seconds > 0, got "1e3"$/],
      [["sync", "--bucket", "b", "--bucket", "c", "--instance", "db1"], /^--bucket given more than once$/],
      [["sync", "--bucket", "--instance", "db1"], /^--bucket needs a value <name>$/],
      [["sync", "--bucket", "b", "--cluster", "1bad"], /^--cluster: "1bad" is not a valid RDS identifier/],
      [["sync", "--bucket", "b", "--instance", "db1", "--frobnicate"], /^unknown option "--frobnicate"$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--dry-run=yes"], /^--dry-run takes no value/],
      [["sync", "--bucket", "b", "--instance", "db1", "--output", "yaml"], /^--output: expected one of table, json, got "yaml"$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--output", "table", "--json"], /^--json and --output table contradict each other$/],
      [["sync", "--bucket", "b", "--instance", "db1", "--quiet", "--verbose"], /^--quiet and --verbose contradict each other$/],
      [["sync", "--bucket", "b", "--instance", "db1", "extra"], /^unexpected argument "extra"$/],
      [["archive"], /^unknown command "archive"; the commands are sync/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseSync(argv), (err: Error) => isUsageError(err) && message.test(err.message), argv.join(" "));
    }
  });

  it("answers help and version, even on a line that is otherwise wrong", () => {
    assert.deepEqual(parseCommandLine([], COMMANDS), { kind: "help" });
    assert.deepEqual(parseCommandLine(["sync", "-h"], COMMANDS), { kind: "help", command: "sync" });
    assert.deepEqual(parseCommandLine(["help", "sync"], COMMANDS), { kind: "help", command: "sync" });
    assert.deepEqual(parseCommandLine(["--version"], COMMANDS), { kind: "version" });
    assert.deepEqual(parseCommandLine(["sync", "--concurrency", "x", "--help"], COMMANDS), { kind: "help", command: "sync" });
  });

  it("whole numbers are plain decimal: exactly the strings a decimal integer prints as", () => {
    fc.assert(fc.property(fc.nat(), (n) => parseWholeNumber(String(n)) === n));
    fc.assert(
      fc.property(fc.string(), (s) => {
        const n = parseWholeNumber(s);
        return n === undefined || String(n) === s;
      }),
    );
    for (const s of ["1e3", "0x10", "0b1", "0o7", "1.0", "+5", "-1", " 5", "5 ", "", "01", "Infinity", "9007199254740993"]) {
      assert.equal(parseWholeNumber(s), undefined, s);
    }
  });

  it("seconds are plain decimals, fractions allowed", () => {
    assert.deepEqual(["0.5", ".5", "2", "10.25"].map(parseSeconds), [0.5, 0.5, 2, 10.25]);
    for (const s of ["1e3", "0x10", "+1", "-1", "1.", "", " 1", "NaN", "Infinity"]) assert.equal(parseSeconds(s), undefined, s);
  });

  it("the CLI's ranges are the stack config's", () => {
    assert.deepEqual(LIMITS.concurrency, SETTING_RANGES.concurrency);
    assert.deepEqual(LIMITS.activeRefreshMinutes, SETTING_RANGES.activeRefreshMinutes);
  });

  it("repeatable options collect every value in order; the parser is pure", () => {
    const specs = { tag: { flag: "--tag", kind: "list", help: "" }, n: { flag: "--n", kind: "whole", min: 0, max: 9, help: "" } } as const;
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z0-9/]+$/)), (tags) => {
        const argv = tags.flatMap((t, i) => (i % 2 ? [`--tag=${t}`] : ["--tag", t]));
        const parsed = parseOptions(specs, argv);
        return JSON.stringify(parsed.values.tag) === JSON.stringify(tags) && parsed.values.n === undefined;
      }),
    );
  });
});

describe("--region and --profile, with the AWS CLI's precedence", () => {
  const env = { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "eu-west-2", AWS_PROFILE: "env-profile", AWS_ACCESS_KEY_ID: "AKIA", AWS_SECRET_ACCESS_KEY: "s", AWS_SESSION_TOKEN: "t", HOME: "/h" };

  it("--region wins over AWS_REGION and AWS_DEFAULT_REGION", () => {
    assert.equal(awsEnv(env, { region: "us-east-2" }).AWS_REGION, "us-east-2");
  });

  it("--profile wins over AWS_PROFILE and over keys in the environment; without flags nothing changes", () => {
    const withProfile = awsEnv(env, { profile: "archive" });
    assert.equal(withProfile.AWS_PROFILE, "archive");
    assert.deepEqual([withProfile.AWS_ACCESS_KEY_ID, withProfile.AWS_SECRET_ACCESS_KEY, withProfile.AWS_SESSION_TOKEN], [undefined, undefined, undefined]);
    assert.equal(withProfile.AWS_REGION, "eu-west-1", "the environment's region still wins over the profile's");
    assert.deepEqual(awsEnv(env, {}), env);
    assert.notEqual(awsEnv(env, {}), env, "a copy: the process environment is not changed");
  });
});
