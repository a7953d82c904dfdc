// The wiring of the config checks: a bad value fails `pulumi preview` with a message naming the key, and the
// program registers no resource. Each case loads the program in its own process with the live stack file plus
// one bad value: one for each place the program checks (reading the config, the own-log-group loop, the account
// pin at preview and without a dry run, as `pulumi up --skip-preview`). Every config rule itself is tested
// directly, without a program, in test/infra/config.test.ts.
import * as assert from "node:assert/strict";
import { LIVE, programLoad } from "../shipped/packages";
import { LoadResult, loadProgram, stackFileConfig } from "./harness";

interface Case {
  title: string;
  config: Record<string, string>;
  /** Keys of the stack file left out. */
  without?: string[];
  region?: string;
  /** false: load as `pulumi up --skip-preview` (default: as `pulumi preview`). */
  preview?: boolean;
  /** The key the message names, with its namespace when it is not the project's. */
  key: string;
  message: RegExp;
}

const cases: Case[] = [
  {
    title: "a stack file without aws:allowedAccountIds",
    config: {},
    without: ["aws:allowedAccountIds"],
    key: "aws:allowedAccountIds",
    message: /required: .*the credentials in use belong to 123456789012/,
  },
  {
    title: "credentials of another account than aws:allowedAccountIds names",
    config: { "aws:allowedAccountIds": JSON.stringify(["111122223333"]) },
    preview: false,
    key: "aws:allowedAccountIds",
    message: /the credentials in use belong to account 123456789012, but this stack deploys only into 111122223333/,
  },
  {
    title: "an invalid instance identifier",
    config: { "rds-log-archiver:instances": JSON.stringify(["1prod-rds"]) },
    key: "instances",
    message: /"1prod-rds" is not a valid RDS identifier/,
  },
  {
    title: "subscribing the subscription function's own log group",
    config: { "rds-log-archiver:logGroups": JSON.stringify(["/aws/lambda/rds-log-archiver-live-logs"]) },
    key: "logGroups",
    message: /subscribing it would loop/,
  },
  {
    title: "Object Lock with active-file refreshes",
    config: { "rds-log-archiver:objectLockMode": "COMPLIANCE", "rds-log-archiver:objectLockRetentionDays": "365", "rds-log-archiver:activeRefreshMinutes": "30" },
    key: "objectLockMode",
    message: /rds-log-archiver:objectLockMode: conflicts with activeRefreshMinutes = 30[^]*rds-log-archiver:activeRefreshMinutes: conflicts with objectLockMode = COMPLIANCE/,
  },
  {
    title: "athena with an include folder the projection cannot express",
    config: { "rds-log-archiver:athena": "true", "rds-log-archiver:include": JSON.stringify(["_trace/"]) },
    key: "athena",
    message: /include folder "_trace" is stored as the segment "%5Ftrace", and partition projection substitutes values/,
  },
];

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

describe("validation at preview (each bad config in its own process)", function () {
  this.timeout(300_000);
  const results = new Map<string, LoadResult>();
  let control: LoadResult;

  before(async () => {
    const live = stackFileConfig("live");
    const configOf = (c: Case) => Object.fromEntries(Object.entries({ ...live, ...c.config }).filter(([key]) => !c.without?.includes(key)));
    // The control is the live stack's load that test/shipped/packages.ts shares with the other tests of that stack.
    const loaded = await pool([undefined, ...cases], 2, (c) =>
      c ? loadProgram({ config: configOf(c), stack: "live", region: c.region ?? "us-east-1", preview: c.preview ?? true }) : programLoad(LIVE),
    );
    control = loaded[0];
    cases.forEach((c, i) => results.set(c.title, loaded[i + 1]));
  });

  it("the committed live stack previews cleanly (the control)", () => {
    assert.ok(control.ok, `${control.error}\n${control.stderr}`);
  });

  for (const c of cases) {
    const key = c.key.includes(":") ? c.key : `rds-log-archiver:${c.key}`;
    it(`fails on ${c.title}, naming ${key}, with nothing registered${c.preview === false ? " (no dry run)" : ""}`, () => {
      const result = results.get(c.title)!;
      assert.equal(result.ok, false, "the program loaded");
      assert.ok(result.error?.includes(`${key}:`), `"${result.error}" does not name ${key}`);
      assert.match(result.error!, c.message);
      assert.deepEqual(result.resources?.map((r) => `${r.type} ${r.name}`), [], "resources were registered before the check failed");
    });
  }
});
