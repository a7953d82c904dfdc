import { strict as assert } from "assert";
import { COPY_ENV, ENV, settingsFromEnv, settingsToEnv } from "../../archiver/settings";
import { PLAIN_SETTINGS } from "./plain-settings";

describe("settings: the copy tunables (COMPRESS_THREADS, RESUME_WITH_RANGE)", () => {
  it("are absent unless set, and read back what was written", () => {
    assert.deepEqual(Object.keys(settingsToEnv(PLAIN_SETTINGS)).filter((k) => Object.values(COPY_ENV).includes(k as never)), []);
    const back = settingsFromEnv(settingsToEnv(PLAIN_SETTINGS));
    assert.equal(back.compressThreads, undefined);
    assert.equal(back.resumeWithRange, undefined);
    for (const s of [{ compressThreads: 1, resumeWithRange: false }, { compressThreads: 6, resumeWithRange: true }]) {
      const read = settingsFromEnv(settingsToEnv({ ...PLAIN_SETTINGS, ...s }));
      assert.deepEqual([read.compressThreads, read.resumeWithRange], [s.compressThreads, s.resumeWithRange]);
    }
  });

  it("a bad value fails naming its variable", () => {
    const env = settingsToEnv(PLAIN_SETTINGS);
    assert.throws(() => settingsFromEnv({ ...env, [COPY_ENV.compressThreads]: "0" }), /^SettingsError: COMPRESS_THREADS: expected a whole number >= 1/);
    assert.throws(() => settingsFromEnv({ ...env, [COPY_ENV.compressThreads]: "two" }), /COMPRESS_THREADS/);
    assert.throws(() => settingsFromEnv({ ...env, [COPY_ENV.resumeWithRange]: "yes" }), /^SettingsError: RESUME_WITH_RANGE: expected true or false/);
    assert.ok(!Object.values(ENV).some((v) => Object.values(COPY_ENV).includes(v as never)), "one owner per variable name");
  });
});
