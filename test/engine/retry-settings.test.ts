import { strict as assert } from "assert";
import { COPY_ENV, ENV, RETRY_ENV, settingsFromEnv, settingsToEnv } from "../../archiver/settings";
import { PLAIN_SETTINGS } from "./plain-settings";
import { DEFAULT_RETRY, retryPolicyOf } from "../../archiver/sync/retry";
import { createSyncHandler } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { FunctionHost } from "../shipped/host";
import { shipped } from "../shipped/packages";
import { RUNNERS, SCHEDULED_EVENT, type Runner } from "../shipped/runner";

describe("settings: the retry backoff (RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS)", () => {
  it("are absent unless set, read back what was written, and leave the default policy alone when absent", () => {
    assert.deepEqual(Object.keys(settingsToEnv(PLAIN_SETTINGS)).filter((k) => Object.values(RETRY_ENV).includes(k as never)), []);
    const back = settingsFromEnv(settingsToEnv(PLAIN_SETTINGS));
    assert.deepEqual([back.retryBaseDelayMs, back.retryMaxDelayMs], [undefined, undefined]);
    assert.deepEqual(retryPolicyOf(back), DEFAULT_RETRY);
    for (const s of [{ retryBaseDelayMs: 1, retryMaxDelayMs: 5 }, { retryBaseDelayMs: 1000 }, { retryMaxDelayMs: 600_000 }]) {
      const read = settingsFromEnv(settingsToEnv({ ...PLAIN_SETTINGS, ...s }));
      assert.deepEqual([read.retryBaseDelayMs, read.retryMaxDelayMs], [s.retryBaseDelayMs, s.retryMaxDelayMs]);
    }
  });

  it("set the run's policy; what the caller passes wins", () => {
    assert.deepEqual(retryPolicyOf({ retryBaseDelayMs: 1, retryMaxDelayMs: 5 }), { ...DEFAULT_RETRY, baseDelayMs: 1, maxDelayMs: 5 });
    assert.deepEqual(retryPolicyOf({ retryBaseDelayMs: 7 }), { ...DEFAULT_RETRY, baseDelayMs: 7 });
    assert.deepEqual(retryPolicyOf({ retryBaseDelayMs: 7, retryMaxDelayMs: 9 }, { maxDelayMs: 3, attempts: 2 }), { ...DEFAULT_RETRY, baseDelayMs: 7, maxDelayMs: 3, attempts: 2 });
  });

  it("a bad value fails naming its variable", () => {
    const env = settingsToEnv(PLAIN_SETTINGS);
    assert.throws(() => settingsFromEnv({ ...env, [RETRY_ENV.retryBaseDelayMs]: "0" }), /^SettingsError: RETRY_BASE_DELAY_MS: expected a whole number from 1 to 600000/);
    assert.throws(() => settingsFromEnv({ ...env, [RETRY_ENV.retryMaxDelayMs]: "600001" }), /^SettingsError: RETRY_MAX_DELAY_MS: /);
    assert.throws(() => settingsFromEnv({ ...env, [RETRY_ENV.retryMaxDelayMs]: "1.5" }), /^SettingsError: RETRY_MAX_DELAY_MS: /);
    const owned = [...Object.values(ENV), ...Object.values(COPY_ENV)];
    assert.ok(!Object.values(RETRY_ENV).some((v) => owned.includes(v as never)), "one owner per variable name");
  });
});

/** The sync function's error for `env`: in this process, or from the serialized function in a host process. */
async function handlerError(runner: Runner, env: NodeJS.ProcessEnv): Promise<{ name: string; message: string } | undefined> {
  if (runner === "in-process") {
    return createSyncHandler(loadAwsSdk(), env)(SCHEDULED_EVENT, {}).then(() => undefined, (e: Error) => ({ name: e.name, message: e.message }));
  }
  const host = await FunctionHost.start(await shipped("sync"), { env: { PATH: process.env.PATH, ...env } });
  try {
    return (await host.invoke(SCHEDULED_EVENT)).error;
  } finally {
    await host.stop();
  }
}

for (const runner of RUNNERS) describe(`sync function (${runner}): the retry backoff variables`, function () {
  this.timeout(120_000);
  it("are read by the function: a bad one fails the run naming it, before any request", async () => {
    const env = { ...settingsToEnv(PLAIN_SETTINGS), AWS_REGION: "us-east-1" };
    for (const [name, raw] of [[RETRY_ENV.retryBaseDelayMs, "0"], [RETRY_ENV.retryMaxDelayMs, "soon"]]) {
      const error = await handlerError(runner, { ...env, [name]: raw });
      assert.equal(error?.name, "SettingsError");
      assert.match(error?.message ?? "", new RegExp(`^${name}: expected a whole number from 1 to 600000, got "${raw}"`));
    }
  });
});
