import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveKey, archivePrefix, keyLengthError, MAX_KEY_BYTES, ROOT_LOGTYPE, splitLogName } from "../../archiver/layout/archive-key";
import { STATE_PREFIX } from "../../archiver/layout/prefixes";
import { decodeSegment, encodeSegment } from "../../archiver/layout/segments";
import { stateKey, statePrefix } from "../../archiver/layout/state-key";
import { anyString } from "./arbitraries";

const T0 = Date.UTC(2024, 9, 1, 0, 0);
const KEY_SHAPE = /^[^/]+\/[^/]+\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/[^/]+\/[^/]+\.gz$/;

describe("layout/archive-key", () => {
  it("files a log under group, logtype, UTC hour and instance; a name without a folder under the root logtype", () => {
    const t = Date.UTC(2024, 9, 1, 13, 59, 59, 999);
    assert.equal(archiveKey("my-cluster", "db-1", "error/postgresql.log.x", t), "my-cluster/error/2024/10/01/13/db-1/postgresql.log.x.gz");
    assert.equal(archiveKey("g", "i", "ERROR.log", t), `g/${ROOT_LOGTYPE}/2024/10/01/13/i/ERROR.log.gz`);
    assert.equal(archiveKey("a/b", "_i", "x/c d", t), "a%2Fb/x/2024/10/01/13/%5Fi/c%20d.gz");
    assert.ok(archiveKey("a/b", "i", "x/y", t).startsWith(archivePrefix("a/b")));
  });

  // A key segment must never be empty: an empty group or instance would give a key starting with "/".
  it("an empty group or instance still gives a key of the documented shape", () => {
    assert.match(archiveKey("", "db-1", "error/x.log", T0), KEY_SHAPE);
    assert.match(archiveKey("g", "", "error/x.log", T0), KEY_SHAPE);
  });

  it("splits at the first slash; a name without a directory gets the root logtype", () => {
    assert.deepEqual(splitLogName("error/postgresql.log.x"), { logType: "error", rest: "postgresql.log.x" });
    assert.deepEqual(splitLogName("a/b/c"), { logType: "a", rest: "b/c" });
    assert.deepEqual(splitLogName("ERROR"), { logType: null, rest: "ERROR" });
    assert.deepEqual(splitLogName("/x"), { logType: null, rest: "/x" });
    assert.deepEqual(splitLogName("error/"), { logType: "error", rest: "" });
  });

  it("a name with a leading slash has no logtype, and keeps every slash in its rest", () => {
    assert.deepEqual(splitLogName("/error/postgresql.log.2024-10-01-12"), { logType: null, rest: "/error/postgresql.log.2024-10-01-12" });
    assert.deepEqual(splitLogName("/a/b"), { logType: null, rest: "/a/b" });
    assert.deepEqual(splitLogName("//x"), { logType: null, rest: "//x" });
    assert.deepEqual(splitLogName("/"), { logType: null, rest: "/" });
  });

  it("property: the logtype is absent or a non-empty name without '/', and logtype + '/' + rest is the name", () => {
    fc.assert(
      fc.property(fc.oneof(anyString, anyString.map((s) => `/${s}`)), (name) => {
        const { logType, rest } = splitLogName(name);
        if (logType === null) {
          assert.equal(rest, name);
          assert.ok(name.startsWith("/") || !name.includes("/"), `${JSON.stringify(name)} has a folder`);
        } else {
          assert.ok(logType !== "" && !logType.includes("/"), JSON.stringify(logType));
          assert.equal(`${logType}/${rest}`, name);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("property: a key names the file it holds: its logtype and file segments decode back to the log name", () => {
    const logNameOf = (key: string) => {
      const segments = key.split("/");
      const fileName = decodeSegment(segments[7].slice(0, -".gz".length));
      return segments[1] === ROOT_LOGTYPE ? fileName : `${decodeSegment(segments[1])}/${fileName}`;
    };
    fc.assert(
      fc.property(fc.oneof(anyString, anyString.map((s) => `/${s}`)), fc.integer({ min: T0, max: T0 + 86_400_000 }), (name, period) => {
        fc.pre(splitLogName(name).rest !== "");
        const key = archiveKey("g", "i", name, period);
        assert.match(key, KEY_SHAPE);
        assert.equal(logNameOf(key), name);
      }),
      { numRuns: 500 },
    );
  });

  it("keyLengthError accepts S3's 1024 bytes and names the size of a longer key", () => {
    assert.equal(keyLengthError("k".repeat(MAX_KEY_BYTES)), undefined);
    assert.match(keyLengthError("k".repeat(MAX_KEY_BYTES + 1)) ?? "", /1025 bytes, over S3's 1024/);
    assert.match(keyLengthError("é".repeat(513)) ?? "", /1026 bytes/);
  });

  it("property: an archive prefix never reaches into the state objects or another group's keys", () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        assert.ok(!archivePrefix(a).startsWith(STATE_PREFIX), archivePrefix(a));
        if (a !== b) assert.ok(!archivePrefix(a).startsWith(archivePrefix(b)), `${archivePrefix(a)} under ${archivePrefix(b)}`);
      }),
      { numRuns: 300 },
    );
  });

  it("property: for one period, archiveKey is injective in the log name", () => {
    const nameArb = fc.oneof(
      anyString,
      anyString.map((s) => `_root/${s}`),
      anyString.map((s) => `error/${s}`),
    );
    // Independent names, plus pairs built to be confusable: a root name and the same name under `_root/`,
    // a directory and its percent-encoded spelling, a name and its decoded form.
    const pairArb = fc.oneof(
      fc.tuple(nameArb, nameArb),
      anyString.map((x) => [x, `_root/${x}`] as [string, string]),
      anyString.map((x) => [`${x}/y`, `${encodeSegment(x)}/y`] as [string, string]),
      anyString.map((x) => [`d/${x}`, `d/${encodeSegment(x)}`] as [string, string]),
    );
    fc.assert(
      fc.property(pairArb, ([a, b]) => {
        fc.pre(a !== b && splitLogName(a).rest !== "" && splitLogName(b).rest !== "");
        assert.notEqual(archiveKey("g", "i", a, T0), archiveKey("g", "i", b, T0), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe("layout/state-key", () => {
  it("the state object lives under _state/<group>/ and escapes its segments", () => {
    assert.equal(stateKey("my-cluster", "db-1"), "_state/my-cluster/db-1.json");
    assert.equal(stateKey("a/b", "_x"), "_state/a%2Fb/%5Fx.json");
    assert.ok(stateKey("g", "i").startsWith(STATE_PREFIX));
    assert.ok(stateKey("a/b", "i").startsWith(statePrefix("a/b")));
    assert.equal(statePrefix(""), `${STATE_PREFIX}_/`);
  });
});
