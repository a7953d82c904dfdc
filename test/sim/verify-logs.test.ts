/**
 * verify and logs over an archive a simulated day built (every rotation scheme, in-process): a clean archive gives
 * no finding at all; hidden alterations are each named, and nothing else; logs returns exactly the archived lines
 * of a range, in time order.
 */
import assert from "node:assert/strict";
import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { PassThrough } from "node:stream";
import { gzipSync } from "node:zlib";
import { createClients } from "../../archiver/aws-clients";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { parseArchiveKey } from "../../archiver/layout/archive-key";
import { digestChainPrefix } from "../../archiver/layout/digest-key";
import { DIGESTS_PREFIX } from "../../archiver/layout/prefixes";
import { readLogs } from "../../archiver/read-back/read-logs";
import { runVerify, type VerifySettings } from "../../archiver/verify/run-verify";
import type { VerifyReport } from "../../archiver/verify/verify-report";
import { childEnv } from "../../local-aws/env";
import { BUCKET, DEFAULT_START, Simulation } from "./drive";
import { readArchive } from "./check-archive";
import { parseLine } from "./ledger";
import { everyScheme } from "./scenarios";
import { HOUR, MINUTE } from "./time";

const SPAN = 24 * HOUR;

/** Every problem a report names, one string each, sorted. */
export function named(r: VerifyReport): string[] {
  const out: string[] = [];
  for (const e of r.errors) out.push(`error ${e.code}`);
  for (const i of r.instances) {
    if (i.error) out.push(`error ${i.instance} ${i.error.code}`);
    for (const f of i.files) if (f.status === "missing" || f.status === "deferred") out.push(`${f.status} ${i.instance} ${f.file}`);
    for (const l of i.lost) out.push(`lost ${i.instance} ${l.file}`);
    for (const f of i.findings) out.push(`${f.problem} ${f.key}`);
  }
  for (const b of r.chainBreaks) out.push(`chain ${b.key}`);
  return out.sort();
}

describe("sim: verify and logs over a simulated day", function () {
  this.timeout(240_000);
  let sim: Simulation;
  let env: NodeJS.ProcessEnv;
  const verify = (o: Partial<VerifySettings> = {}) =>
    runVerify(
      { bucket: BUCKET, instances: sim.settings.instances, clusters: sim.settings.clusters, deep: false, digests: false, ...o },
      { sdk: loadAwsSdk(), env, now: () => sim.now, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    );

  before(async () => {
    sim = await Simulation.start({ seed: 1212, instances: everyScheme(SPAN) });
    env = childEnv(sim.rds, sim.s3);
    for (let t = DEFAULT_START + 15 * MINUTE; t <= DEFAULT_START + SPAN; t += 15 * MINUTE) {
      sim.advanceTo(t);
      await sim.sync();
    }
  });
  after(async () => sim?.stop());

  it("the archive as the syncs left it: every closed file archived, every object intact, nothing named", async () => {
    const r = await verify({ deep: true });
    assert.deepEqual(named(r), []);
    assert.equal(r.ok, true);
    assert.ok(r.totals.archived > 100 && r.totals.pending > 0, JSON.stringify(r.totals));
    assert.equal(r.totals.objectsChecked, r.instances.reduce((n, i) => n + i.objectsRead, 0));
  });

  it("logs returns exactly the archived lines of a range, in time order", async () => {
    const archive = await readArchive({ endpoint: sim.s3.endpoint, bucket: BUCKET });
    const aws = await createClients(loadAwsSdk(), env);
    for (const [instance, from, to] of [
      ["pg-eager", 5 * HOUR + 10 * MINUTE, 5 * HOUR + 40 * MINUTE],
      ["mysql-1", 3 * HOUR, 11 * HOUR],
      ["mssql-1", 2 * HOUR + 5 * MINUTE, 14 * HOUR],
      ["aurora-a-2", 0, SPAN],
    ] as const) {
      const range = { from: DEFAULT_START + from, to: DEFAULT_START + to };
      const expected = archive
        .filter((o) => parseArchiveKey(o.key)?.instance === instance)
        .flatMap((o) => gunzipLines(o.body))
        .filter((l) => { const p = parseLine(l); return p !== undefined && p.at >= range.from && p.at < range.to; });
      const out = new PassThrough();
      const text = collect(out);
      const group = sim.groups.get(instance)!;
      await readLogs({ bucket: BUCKET, group, instance, types: [], range, withActive: false }, { aws, out, note: () => undefined, now: () => sim.now });
      out.end();
      const got = (await text).split("\n").filter(Boolean);
      assert.ok(expected.length > 10, `${instance}: ${expected.length} lines expected`);
      assert.deepEqual([...got].sort(), [...expected].sort(), `${instance}: the same lines`);
      const times = got.map((l) => parseLine(l)!.at);
      times.forEach((t, i) => i > 0 && assert.ok(t >= times[i - 1], `${instance}: line ${i} out of order`));
    }
  });

  it("names each hidden alteration, and nothing else", async () => {
    const clean = await verify();
    const archivedFiles = clean.instances.flatMap((i) => i.files.filter((f) => f.status === "archived" && f.key).map((f) => ({ instance: i.instance, file: f.file, key: f.key! })));
    const listedKeys = new Set(archivedFiles.map((f) => f.key));
    const objects = (await sim.s3.listKeys(BUCKET)).filter((o) => parseArchiveKey(o.key) !== undefined);
    const unlisted = objects.filter((o) => !listedKeys.has(o.key));
    assert.ok(archivedFiles.length >= 2 && unlisted.length >= 3);
    const s3 = sim.s3.client();
    const metadataOf = async (key: string) => (await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).Metadata;
    const deleted = archivedFiles[0];
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: deleted.key }));
    const [changed, stripped, corrupt] = unlisted;
    const changedText = gunzipLines(await sim.s3.getBytes(BUCKET, changed.key));
    changedText[0] = changedText[0].replace(/#(\d+)/, "#9$1");
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: changed.key, Body: gzipSync(changedText.join("\n") + "\n"), Metadata: await metadataOf(changed.key) }));
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: stripped.key, CopySource: `${BUCKET}/${encodeURI(stripped.key)}`, MetadataDirective: "REPLACE", Metadata: {} }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: corrupt.key, Body: gzipSync("x\n").subarray(0, 12), Metadata: await metadataOf(corrupt.key) }));
    const r = await verify({ deep: true });
    const named4 = [`missing ${deleted.instance} ${deleted.file}`, `mismatched ${changed.key}`, `no-metadata ${stripped.key}`, `corrupt ${corrupt.key}`];
    assert.deepEqual(named(r), [...named4].sort());
    assert.equal(r.ok, false);

    // A digest replaced in the middle of a chain (one byte more), and a file RDS listed, then removed before it was archived.
    const digests = await sim.s3.listKeys(BUCKET, { prefix: DIGESTS_PREFIX });
    const digested = new Set<string>();
    for (const d of digests) for (const o of (JSON.parse(await sim.s3.getText(BUCKET, d.key)) as { objects: { key: string }[] }).objects) digested.add(o.key);
    const chain = digests.filter((d) => d.key.startsWith(digestChainPrefix("pg-eager", "pg-eager")));
    const replaced = chain[Math.floor(chain.length / 2)].key;
    const text = await sim.s3.getText(BUCKET, replaced);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: replaced, Body: `${text.trimEnd()} \n` }));
    const lostFile = "error/postgresql.log.2024-10-01-23.lost";
    sim.rds.putFile("pg-lazy", { name: lostFile, lastWritten: sim.now - 3 * HOUR, content: Buffer.from("2024-10-01T20:00:00.000Z never archived\n") });
    sim.rds.injectFault({ on: "download", kind: "http500", times: 50, instance: "pg-lazy", file: lostFile });
    await sim.sync();
    sim.rds.removeFile("pg-lazy", lostFile);
    await sim.sync();
    const all = await verify({ deep: true, digests: true });
    const digestFindings = [deleted.key, changed.key, stripped.key, corrupt.key].filter((k) => digested.has(k)).map((k) => `digest ${k}`);
    assert.deepEqual(named(all), [...named4, ...digestFindings, `chain ${replaced}`, `lost pg-lazy ${lostFile}`].sort());
  });
});

function gunzipLines(body: Buffer): string[] {
  return require("node:zlib").gunzipSync(body).toString("utf8").split("\n").filter(Boolean);
}

async function collect(stream: PassThrough): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk;
  return text;
}
