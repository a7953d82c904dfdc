/**
 * The digests of a simulated archive, checked with the pure API verify uses: each instance's chain is intact up to
 * the head its state records, and every archived object is listed, as it is now, in its chain's newest entry for
 * its key, or still waits in the state's journal for the next digest.
 */
import { checkDigestChain, checkObjectAgainstDigest, latestDigestEntries, parseDigest, type Digest, type StoredDigest } from "../../archiver/digests/digest";
import { recordId } from "../../archiver/digests/digest-plan";
import { digestChainPrefix } from "../../archiver/layout/digest-key";
import { parseArchiveKey } from "../../archiver/layout/archive-key";
import { stateKey } from "../../archiver/layout/state-key";
import { parseStoredManifest } from "../../archiver/planning/manifest";
import { readProvenance } from "../../archiver/s3/metadata";
import { BUCKET, type Simulation } from "./drive";

export async function digestFindings(sim: Simulation): Promise<{ findings: string[]; digests: number; listed: number }> {
  const findings: string[] = [];
  let digests = 0;
  let listed = 0;
  const objects = (await sim.s3.listAll(BUCKET)).filter((o) => !o.key.startsWith("_"));
  for (const [instance, group] of sim.groups) {
    const stored: StoredDigest[] = [];
    for (const o of await sim.s3.listKeys(BUCKET, { prefix: digestChainPrefix(group, instance) })) {
      stored.push({ key: o.key, text: await sim.s3.getText(BUCKET, o.key) });
    }
    digests += stored.length;
    const state = parseStoredManifest(await sim.s3.getText(BUCKET, stateKey(group, instance)));
    for (const f of checkDigestChain(stored, state?.digestHead)) findings.push(`${f.key}: ${f.problem}`);
    const parsed = stored.map((d) => parseDigest(d.text)).flatMap((p) => ("digest" in p ? [p.digest] : [] as Digest[]));
    const latest = latestDigestEntries(parsed);
    listed += latest.size;
    const journaled = new Set((state?.stored ?? []).map((o) => o.key));
    for (const o of objects.filter((x) => parseArchiveKey(x.key)?.instance === instance)) {
      const entry = latest.get(o.key);
      if (!entry) {
        if (!journaled.has(o.key)) findings.push(`${o.key}: in no digest and not in the journal`);
        continue;
      }
      const p = readProvenance(o.metadata);
      const now = "provenance" in p
        ? { storedBytes: o.size, bytes: p.provenance.bytes, sha256: p.provenance.sha256, rds: { instance: p.provenance.instance, file: p.provenance.file, size: p.provenance.size, lastWritten: p.provenance.lastWritten } }
        : { storedBytes: o.size };
      const problems = checkObjectAgainstDigest(entry, now);
      // A newer version still in the journal supersedes the digest's entry.
      const newer = (state?.stored ?? []).some((r) => r.key === o.key && recordId(r) !== recordId(entry));
      if (problems.length > 0 && !newer) findings.push(`${o.key}: ${problems.join("; ")}`);
    }
  }
  return { findings, digests, listed };
}
