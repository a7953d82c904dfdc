import assert from "node:assert/strict";
import fc from "fast-check";
import { eventKey } from "../../archiver/layout/event-key";
import { CLOUDWATCH_PREFIX, EVENTS_PREFIX, REJECTED_PREFIX } from "../../archiver/layout/prefixes";
import { rejectedKey } from "../../archiver/layout/rejected-key";
import { subscriptionKey } from "../../archiver/layout/subscription-key";
import { anyString } from "./arbitraries";

const T = Date.UTC(2024, 9, 1, 14, 34, 56);

describe("layout/event-key", () => {
  it("files an event under its own UTC hour and id, the same key every time", () => {
    const event = { id: "12a345b6-78c9-01d2-34e5-123f4ghi5j6k", time: "2024-10-01T19:34:09Z" };
    assert.equal(eventKey(event), "events/2024/10/01/19/12a345b6-78c9-01d2-34e5-123f4ghi5j6k.json");
    assert.equal(eventKey({ ...event }), eventKey(event));
    assert.equal(eventKey({ ...event, time: "2024-10-01T21:34:09+02:00" }), eventKey(event));
  });

  it("an id cannot climb out of the events/ folder", () => {
    assert.equal(eventKey({ id: "../../_state/x", time: "2024-10-01T19:34:09Z" }), "events/2024/10/01/19/..%2F..%2F_state%2Fx.json");
  });

  it("property: any id gives one key under events/<hour>/", () => {
    fc.assert(
      fc.property(anyString, (id) => {
        const key = eventKey({ id, time: new Date(T).toISOString() });
        assert.ok(key.startsWith(`${EVENTS_PREFIX}2024/10/01/14/`), key);
        assert.equal(key.split("/").length, 6, key);
      }),
      { numRuns: 200 },
    );
  });
});

describe("layout/subscription-key", () => {
  it("files a delivery under its log group without the leading slash, the first event's hour, stream and id", () => {
    assert.equal(
      subscriptionKey("/aws/rds/instance/prod-rds/error", "prod-rds", { id: "e10", timestamp: T }),
      "cloudwatch/aws/rds/instance/prod-rds/error/2024/10/01/14/prod-rds-e10.gz",
    );
    assert.equal(subscriptionKey("//a//b/", "s/../t", { id: "1", timestamp: T }), "cloudwatch/a/b/2024/10/01/14/s%2F..%2Ft-1.gz");
  });

  it("property: a log group's segments are escaped, so no key leaves cloudwatch/", () => {
    fc.assert(
      fc.property(anyString, anyString, anyString, (group, stream, id) => {
        const key = subscriptionKey(group, stream, { id, timestamp: T });
        assert.ok(key.startsWith(CLOUDWATCH_PREFIX), key);
        assert.ok(!key.split("/").some((s) => s === ".." || s === "."), key);
      }),
      { numRuns: 200 },
    );
  });
});

describe("layout/rejected-key", () => {
  it("keys a payload by its day and its hash: the same payload the same key, another payload another", () => {
    const key = rejectedKey({ a: 1 }, T);
    assert.match(key, /^_rejected\/2024\/10\/01\/[0-9a-f]{64}\.json$/);
    assert.ok(key.startsWith(REJECTED_PREFIX));
    assert.equal(rejectedKey({ a: 1 }, T + 3_600_000), key);
    assert.notEqual(rejectedKey({ a: 2 }, T), key);
    assert.notEqual(rejectedKey({ a: 1 }, T + 86_400_000), key);
    assert.match(rejectedKey(undefined, T), /^_rejected\/2024\/10\/01\/[0-9a-f]{64}\.json$/);
  });
});
