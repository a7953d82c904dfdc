// Each function's role reaches only the bucket prefixes archiver/layout/ownership.ts gives it. The keys are the
// ones the runtime really builds (archive keys, state objects, events, subscription batches, rejected payloads),
// and every policy is evaluated against them: any grant beyond what a function does is a failure.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { prefixGrants, SERVICE_PREFIXES, SHARED_PREFIXES, WRITERS, type ArchivedIds, type Writer } from "../../archiver/layout/ownership";
import * as prefixes from "../../archiver/layout/prefixes";
import { RESERVED_PREFIXES, STATE_PREFIX } from "../../archiver/layout/prefixes";
import { batchObjects } from "../../archiver/log-subscriptions/decode";
import { archiveKey } from "../../archiver/layout/archive-key";
import { eventKey } from "../../archiver/layout/event-key";
import { rejectedKey } from "../../archiver/layout/rejected-key";
import { stateKey } from "../../archiver/layout/state-key";
import { identifierProblem } from "../../archiver/rds-identifier";
import { parseConfig } from "../../infra/config";
import { verifyReportKey } from "../../archiver/layout/verify-report-key";
import { logSubscriptionFunctionPolicy, PolicyDocument, rdsEventsFunctionPolicy, syncFunctionPolicy, verifyFunctionPolicy } from "../../infra/policies";
import { allows, wildcardMatch } from "./iam-evaluate";

const BUCKET_ARN = "arn:aws:s3:::111122223333-logs-us-east-1";
const T = Date.UTC(2024, 9, 1, 12, 30);
const object = (key: string) => `${BUCKET_ARN}/${key}`;
const S3_OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:DeleteObject"];

function policies(ids: ArchivedIds): Record<Writer, PolicyDocument> {
  const target = { partition: "aws", region: "us-east-1", accountId: "111122223333" };
  const common = { bucketArn: BUCKET_ARN, kmsKeyArn: "", deadLetterQueueArn: "arn:aws:sqs:us-east-1:111122223333:q" };
  return {
    sync: syncFunctionPolicy({ ...target, ...ids, instances: [...ids.instances], clusters: [...ids.clusters], bucketArn: BUCKET_ARN, kmsKeyArn: "", logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:s" }),
    events: rdsEventsFunctionPolicy({ ...target, ...common, clusters: [...ids.clusters], logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:e" }),
    logs: logSubscriptionFunctionPolicy({ ...common, logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:l" }),
    verify: verifyFunctionPolicy({ ...target, instances: [...ids.instances], clusters: [...ids.clusters], bucketArn: BUCKET_ARN, kmsKeyArn: "", logGroupArn: "arn:aws:logs:us-east-1:111122223333:log-group:v" }),
  };
}

/** The keys each function writes at run time, built by the runtime's own key functions. */
function keysWrittenBy(ids: ArchivedIds): Record<Writer, { archive: string[]; state: string[]; put: string[]; read: string[] }> {
  const groups = [...ids.instances, ...ids.clusters];
  const batch = { owner: "1", logGroup: "/aws/rds/instance/db/error", logStream: "s", subscriptionFilters: [], messageType: "DATA_MESSAGE", logEvents: [] };
  const archived = groups.flatMap((g) => [archiveKey(g, `${g}-1`, "error/postgresql.log.2024-10-01-12", T), archiveKey(g, g, "slowquery.log", T)]);
  const states = groups.map((g) => stateKey(g, `${g}-1`));
  return {
    sync: { archive: archived, state: states, put: [], read: [] },
    events: { archive: [], state: [], put: [eventKey({ id: "e-1", time: new Date(T).toISOString() }), rejectedKey({ a: 1 }, T)], read: [] },
    logs: {
      archive: [],
      state: [],
      put: [...batchObjects(batch, [{ id: "9", timestamp: T, message: "m" }]).map((o) => o.key), rejectedKey({ b: 2 }, T)],
      read: [],
    },
    // The scheduled verify reads what the sync archived and writes only its reports.
    verify: { archive: [], state: [], put: [verifyReportKey(T)], read: [...archived, ...states] },
  };
}

const ACCESS_ACTIONS = { archive: S3_OBJECT_ACTIONS, state: ["s3:GetObject", "s3:PutObject"], put: ["s3:PutObject"], read: ["s3:GetObject"] };

/** RDS identifiers the config accepts, including ones that extend each other (`prod`, `prod-rds`). */
const id = fc
  .stringMatching(/^[a-z](?:[a-z0-9]{0,5})(?:-[a-z0-9]{1,4}){0,2}$/)
  .filter((s) => identifierProblem(s) === undefined && !RESERVED_PREFIXES.includes(`${s}/` as never));
const archivedIds = fc
  .record({ instances: fc.uniqueArray(id, { maxLength: 3 }), clusters: fc.uniqueArray(id, { maxLength: 3 }) })
  .filter((ids) => ids.instances.length + ids.clusters.length > 0);

describe("bucket prefixes: each role reaches only what its function owns", () => {
  it("property: every function may do exactly what it does to the keys it writes, and nothing to any other key", () => {
    fc.assert(
      fc.property(archivedIds, (ids) => {
        const docs = policies(ids);
        const written = keysWrittenBy(ids);
        // Keys of ids that are not configured, some sharing a configured id's first characters.
        const strangers = [...ids.instances, ...ids.clusters].flatMap((g) => [`${g}-x`, `${g}x`]).filter((g) => ![...ids.instances, ...ids.clusters].includes(g));
        const strangerKeys = strangers.flatMap((g) => [archiveKey(g, g, "error/postgresql.log", T), stateKey(g, g)]);
        const allKeys = [...WRITERS.flatMap((w) => Object.values(written[w]).flat()), ...strangerKeys];

        for (const writer of WRITERS) {
          const mine = written[writer];
          for (const key of allKeys) {
            for (const action of S3_OBJECT_ACTIONS) {
              const needed = (Object.keys(ACCESS_ACTIONS) as (keyof typeof ACCESS_ACTIONS)[]).some(
                (access) => mine[access].includes(key) && ACCESS_ACTIONS[access].includes(action),
              );
              // A shared prefix's keys are content hashes: every writer that owns it may put any of them.
              const sharedPrefix = SHARED_PREFIXES.find((p) => key.startsWith(p));
              const shared = action === "s3:PutObject" && prefixGrants(writer, ids).some((g) => g.prefix === sharedPrefix);
              assert.equal(allows(docs[writer], action, object(key)), needed || shared, `${writer} ${action} ${key}`);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("property: no two functions may write the same prefix, except the put-only shared ones", () => {
    fc.assert(
      fc.property(archivedIds, (ids) => {
        // Reading is not writing: the scheduled verify reads the sync's prefixes.
        const grants = WRITERS.flatMap((writer) => prefixGrants(writer, ids).filter((g) => g.access !== "read").map((g) => ({ writer, ...g })));
        for (const a of grants) {
          assert.ok(a.prefix.endsWith("/"), `${a.writer}: "${a.prefix}" must end with "/"`);
          for (const b of grants) {
            if (a.writer === b.writer || !a.prefix.startsWith(b.prefix)) continue;
            assert.ok(SHARED_PREFIXES.includes(a.prefix) && a.prefix === b.prefix && a.access === "put" && b.access === "put", `${a.writer} ${a.prefix} overlaps ${b.writer} ${b.prefix}`);
          }
        }
      }),
    );
  });

  it("property: every S3 object resource of every role is one of its own prefixes, never the whole bucket", () => {
    fc.assert(
      fc.property(archivedIds, (ids) => {
        const docs = policies(ids);
        for (const writer of WRITERS) {
          const own = prefixGrants(writer, ids).map((g) => object(`${g.prefix}*`));
          for (const s of docs[writer].Statement) {
            for (const resource of [s.Resource ?? []].flat().filter((r) => r.startsWith(`${BUCKET_ARN}/`))) {
              assert.ok(own.includes(resource), `${writer}: ${s.Sid} grants ${resource}`);
            }
          }
        }
      }),
    );
  });

  it("every top-level prefix the layout defines is reserved, and written by some function (state per id, by sync) or by a service", () => {
    const defined = (Object.values(prefixes) as unknown[]).filter((v): v is string => typeof v === "string");
    assert.deepEqual([...defined].sort(), [...RESERVED_PREFIXES].sort());
    const ids = { instances: ["db"], clusters: [] };
    for (const prefix of RESERVED_PREFIXES) {
      // Reading is not writing: the scheduled verify reads the state for its digest head.
      const owners = WRITERS.filter((w) => prefixGrants(w, ids).some((g) => g.prefix.startsWith(prefix) && g.access !== "read"));
      if (prefix in SERVICE_PREFIXES) {
        assert.deepEqual(owners, [], `${prefix} is written by ${SERVICE_PREFIXES[prefix]}, not by a function`);
        continue;
      }
      assert.ok(owners.length > 0, `nobody writes ${prefix}`);
      if (prefix === STATE_PREFIX) assert.deepEqual(owners, ["sync"]);
    }
  });

  it("`prod/*` does not cover `prod-rds/...`: an id never reaches a longer id's objects", () => {
    const docs = policies({ instances: ["prod"], clusters: [] });
    assert.ok(allows(docs.sync, "s3:PutObject", object(archiveKey("prod", "prod", "error/a.log", T))));
    assert.ok(!allows(docs.sync, "s3:PutObject", object(archiveKey("prod-rds", "prod-rds", "error/a.log", T))));
    assert.ok(!allows(docs.sync, "s3:GetObject", object(stateKey("prod-rds", "prod-rds"))));
  });

  it("the config refuses an id that would archive into a prefix another function owns", () => {
    const get = (values: Record<string, string>) => (key: string) => values[key];
    for (const reserved of ["events", "cloudwatch"]) {
      assert.throws(
        () => parseConfig(get({ bucketName: "logs", instances: JSON.stringify([reserved]) })),
        new RegExp(`rds-log-archiver:instances: "${reserved}" cannot be archived under its own name: the bucket's ${reserved}/ prefix`),
      );
    }
  });

  it("the evaluator matches IAM wildcards and honours an unconditional Deny", () => {
    assert.ok(wildcardMatch("arn:aws:s3:::b/p/*", "arn:aws:s3:::b/p/x/y"));
    assert.ok(!wildcardMatch("arn:aws:s3:::b/p/*", "arn:aws:s3:::b/p-q/x"));
    assert.ok(wildcardMatch("s3:Get*", "s3:getobject", true));
    const doc: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/*" },
        { Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/*" },
      ],
    };
    assert.ok(allows(doc, "s3:GetObject", "arn:aws:s3:::b/k") && !allows(doc, "s3:DeleteObject", "arn:aws:s3:::b/k"));
  });
});
