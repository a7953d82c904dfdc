import assert from "node:assert/strict";
import type { AwsClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { checkDigestChain, parseDigest, sha256Hex, type DigestObject } from "../../archiver/digests/digest";
import { HOUR_MS, recordId } from "../../archiver/digests/digest-plan";
import { digestKey } from "../../archiver/layout/digest-key";
import { findChainHead, writeDueDigests } from "../../archiver/sync/digest-writer";
import { LocalS3 } from "../../local-aws/local-s3";

const BUCKET = "digests";
const T0 = Date.UTC(2024, 9, 1, 10);
const TARGET = { group: "g", instance: "db-1" };
const record = (t: number, n: number): DigestObject => ({
  key: `g/error/2024/10/01/10/db-1/f${n}.gz`, storedBytes: 10 + n, bytes: 100 + n, sha256: "a".repeat(64),
  rds: { instance: "db-1", file: `error/f${n}`, size: 100 + n, lastWritten: t }, storedAt: new Date(t).toISOString(),
});

describe("sync/digest-writer against s3rver", function () {
  this.timeout(30_000);
  let s3: LocalS3;
  let aws: AwsClients;
  before(async () => {
    s3 = await LocalS3.start({ buckets: [BUCKET] });
    aws = { sdk: loadAwsSdk(), s3: s3.client() } as AwsClients;
  });
  after(() => s3.stop());

  it("writes each ended hour's digest once, chained; a run that finds one written goes on from it and overwrites nothing", async () => {
    const journal = [record(T0 + 60_000, 1), record(T0 + 120_000, 2), record(T0 + HOUR_MS + 5, 3)];
    const first = await writeDueDigests(aws, BUCKET, TARGET, { journal: journal.slice(0, 2) }, T0 + HOUR_MS + 60_000);
    const key10 = digestKey("g", "db-1", T0);
    assert.deepEqual(first.keys, [key10]);
    assert.deepEqual([...first.records].sort(), journal.slice(0, 2).map(recordId).sort());
    const stored10 = await s3.getText(BUCKET, key10);
    assert.equal(first.head?.sha256, sha256Hex(stored10));

    // An overlapping run with an older view (no head) and one more record of hour 10 that the stored digest lacks.
    const late = record(T0 + 30 * 60_000, 4);
    const second = await writeDueDigests(aws, BUCKET, TARGET, { journal: [...journal, late] }, T0 + 2 * HOUR_MS + 60_000);
    assert.equal(await s3.getText(BUCKET, key10), stored10, "the digest of hour 10 is not rewritten");
    const key11 = digestKey("g", "db-1", T0 + HOUR_MS);
    assert.deepEqual(second.keys, [key10, key11]);
    const digest11 = parseDigest(await s3.getText(BUCKET, key11));
    assert.ok("digest" in digest11);
    assert.deepEqual(digest11.digest.objects.map((o) => o.key).sort(), [journal[2].key, late.key].sort(), "the late record goes into the next digest");
    const chain = await Promise.all([key10, key11].map(async (key) => ({ key, text: await s3.getText(BUCKET, key) })));
    assert.deepEqual(checkDigestChain(chain, second.head), []);

    // A state rebuilt from the archive finds the head in the bucket, and the chain goes on from it.
    assert.deepEqual(await findChainHead(aws, BUCKET, TARGET), second.head);
    assert.equal(await findChainHead(aws, BUCKET, { group: "g", instance: "db-2" }), undefined);
  });
});
