/**
 * Identity stability under rotation: simulate how RDS renames content and check that every listing gives one
 * content one identity and one key, and that the planner, run at any moment, archives each content exactly once.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { archiveTargets } from "../../archiver/planning/archive-targets";
import { classifyListing, isClosed, type ListedFile } from "../../archiver/planning/log-file-names";
import { emptyManifest, mergeManifest, type Manifest } from "../../archiver/planning/manifest";
import { DEFAULT_GRACE_MS, DEFAULT_QUIET_MS, planInstance, type CopyAction } from "../../archiver/planning/plan-instance";
import { DAY, HOUR, MINUTE, T0, applyCopies, copies, file } from "./helpers";

interface SimFile {
  name: string;
  content: number;
  size: number;
  lastWritten: number;
}

/**
 * Checks (a) one content -> one identity and key, (b) one identity or key -> one content, across every
 * listing fed to it; and runs the planner like the engine: records copies in the manifest and in a fake bucket.
 */
class ExactlyOnceChecker {
  private readonly idOf = new Map<number, string>();
  private readonly keyOf = new Map<number, string>();
  private readonly contentOfId = new Map<string, number>();
  private readonly contentOfKey = new Map<string, number>();
  /** The fake bucket: key -> content it holds. */
  readonly bucket = new Map<string, number>();
  private readonly archivedUnder = new Map<number, Set<string>>();
  manifest: Manifest = emptyManifest();
  readonly log: string[] = [];

  constructor(private readonly onlyKinds: readonly string[]) {}

  /** Identities of every file the rules call closed (archivable) in this listing. */
  observe(files: readonly SimFile[], now: number): void {
    const listing: ListedFile[] = files.map((f) => file(f.name, f.lastWritten, f.size));
    const contentOf = new Map(files.map((f) => [f.name, f.content]));
    const all = classifyListing(listing);
    const rule = { now, graceMs: DEFAULT_GRACE_MS, quietMs: DEFAULT_QUIET_MS };
    for (const [f, t] of archiveTargets("db-1", "db-1", all)) {
      if (!this.onlyKinds.includes(f.kind) || "error" in t || !isClosed(f, all, rule)) continue;
      const c = contentOf.get(f.file.name)!;
      const where = `${this.log.join(" ")} | ${f.file.name}=#${c}`;
      this.bind(this.idOf, this.contentOfId, c, t.identity, "identity", where);
      this.bind(this.keyOf, this.contentOfKey, c, t.key, "key", where);
    }
  }

  private bind(of: Map<number, string>, back: Map<string, number>, content: number, value: string, what: string, where: string): void {
    const had = of.get(content);
    assert.ok(had === undefined || had === value, `content #${content} changed ${what}: ${had} -> ${value}\n  after: ${where}`);
    const owner = back.get(value);
    assert.ok(owner === undefined || owner === content, `${what} ${value} holds content #${owner} and #${content}\n  after: ${where}`);
    of.set(content, value);
    back.set(value, content);
  }

  /** Contents the last run rejected (reported, not copied). */
  rejected = new Set<number>();

  /** One sync run at `now`: plan, then "upload" every copy (but those that `fails`) and record it in the manifest. */
  run(files: readonly SimFile[], now: number, fails: (c: CopyAction) => boolean = () => false): void {
    const listing: ListedFile[] = files.map((f) => file(f.name, f.lastWritten, f.size));
    const contentOf = new Map(files.map((f) => [f.name, f.content]));
    const planned = planInstance({ instance: "db-1", group: "db-1", listing, manifest: this.manifest, now, include: [], activeRefreshMs: 0 });
    this.rejected = new Set(planned.actions.filter((a) => a.action === "reject").map((a) => contentOf.get(a.file.name)!));
    const plan = { ...planned, actions: planned.actions.filter((a) => a.action !== "copy" || !fails(a)) };
    for (const c of copies(plan)) {
      const content = contentOf.get(c.file.name)!;
      const held = this.bucket.get(c.key);
      assert.ok(held === undefined || held === content, `copy of #${content} (${c.file.name}) overwrites #${held} at ${c.key}\n  after: ${this.log.join(" ")}`);
      this.bucket.set(c.key, content);
      const keys = this.archivedUnder.get(content) ?? new Set();
      keys.add(c.key);
      assert.equal(keys.size, 1, `content #${content} archived under ${[...keys].join(", ")}`);
      this.archivedUnder.set(content, keys);
      if (c.replaces) {
        assert.equal(this.bucket.get(c.replaces), content, `replaces deletes ${c.replaces} holding #${this.bucket.get(c.replaces)}`);
        this.bucket.delete(c.replaces);
      }
    }
    // As the engine saves it: only after a copy, pruning what the listing no longer holds.
    if (copies(plan).length > 0) {
      const written = applyCopies(emptyManifest(), plan, now).entries;
      this.manifest = mergeManifest({ start: this.manifest, latest: this.manifest, written, listed: plan.listedIdentities, runStartedAt: now });
    }
  }

  /** Every content still listed with data, in a closed file of the checked kinds, is in the bucket (or was reported, if allowed). */
  assertArchived(files: readonly SimFile[], orRejected = false): void {
    const held = new Set(this.bucket.values());
    for (const f of files) {
      if (f.size === 0 || !this.onlyKinds.includes(classifyListing([file(f.name)])[0].kind)) continue;
      if (orRejected && this.rejected.has(f.content)) continue;
      assert.ok(held.has(f.content), `content #${f.content} (${f.name}, ${f.size} bytes) is listed but was never archived\n  after: ${this.log.join(" ")}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// MySQL/MariaDB audit plugin: server_audit.log, rotated by size into .1 .. .9; renames keep LastWritten.

const ACTIVE = "audit/server_audit.log";

class AuditChain {
  now = T0 + 12 * HOUR;
  private next = 1;
  active: SimFile = { name: ACTIVE, content: this.next++, size: 0, lastWritten: this.now };
  /** members[0] is `.1`. */
  members: SimFile[] = [];

  append(bytes: number): void {
    this.active.size += bytes;
    this.active.lastWritten = this.now;
  }

  /** The plugin rotates by size, so only a non-empty file. `.9` falls off; the new active file starts empty. */
  rotate(): boolean {
    if (this.active.size === 0) return false;
    this.members = [this.active, ...this.members].slice(0, 9).map((f, i) => ({ ...f, name: `${ACTIVE}.${i + 1}` }));
    this.active = { name: ACTIVE, content: this.next++, size: 0, lastWritten: this.now };
    return true;
  }

  files(): SimFile[] {
    return [this.active, ...this.members];
  }

  /** RDS deletes `.index` (retention by age: within a tie of LastWritten, in no particular order); the others keep their names. */
  delete(index: number): boolean {
    const before = this.members.length;
    this.members = this.members.filter((f) => f.name !== `${ACTIVE}.${index}`);
    return this.members.length < before;
  }
}

type AuditOp =
  | { op: "append"; bytes: number }
  | { op: "rotate" }
  | { op: "tick"; ms: number }
  | { op: "run" };

const singleOpArb: fc.Arbitrary<AuditOp> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(100, 100, 101).map((bytes) => ({ op: "append" as const, bytes })) },
  { weight: 3, arbitrary: fc.constant({ op: "rotate" as const }) },
  { weight: 3, arbitrary: fc.constantFrom(0, 0, 1, 999, 1000, MINUTE, 10 * MINUTE, HOUR).map((ms) => ({ op: "tick" as const, ms })) },
  { weight: 2, arbitrary: fc.constant({ op: "run" as const }) },
);
/** Bursts of append+rotate in one millisecond, long enough to push tied members off `.9`. */
const burstArb: fc.Arbitrary<AuditOp[]> = fc
  .integer({ min: 2, max: 12 })
  .map((n) => Array.from({ length: n }, (): AuditOp[] => [{ op: "append", bytes: 100 }, { op: "rotate" }]).flat());
const auditOpsArb: fc.Arbitrary<AuditOp[]> = fc
  .array(fc.oneof({ weight: 5, arbitrary: singleOpArb.map((o) => [o]) }, { weight: 1, arbitrary: burstArb }), { minLength: 1, maxLength: 40 })
  .map((xs) => xs.flat());

/** observe: check identities of every listing (`each`), of the listings runs see (`runs`), or none. */
function simulateAudit(ops: readonly AuditOp[], observe: "each" | "runs" | "none" = "each"): void {
  const sim = new AuditChain();
  const check = new ExactlyOnceChecker(["chain-member"]);
  for (const o of ops) {
    if (o.op === "append") sim.append(o.bytes);
    if (o.op === "rotate" && !sim.rotate()) continue;
    if (o.op === "tick") sim.now += o.ms;
    check.log.push(o.op === "append" ? `append(${o.bytes})@${sim.now - T0}` : o.op === "tick" ? `tick(${o.ms})` : `${o.op}@${sim.now - T0}`);
    if (observe === "each" || (observe === "runs" && o.op === "run")) check.observe(sim.files(), sim.now);
    if (o.op === "run") check.run(sim.files(), sim.now);
  }
  // A day later, one more write (so no tie group of LastWritten can still grow), then one more run:
  // everything still listed must be archived, each under one key.
  sim.now += DAY;
  sim.append(1);
  check.log.push("tick(1d) append(1) run");
  if (observe !== "none") check.observe(sim.files(), sim.now);
  check.run(sim.files(), sim.now);
  check.assertArchived(sim.members);
}

describe("planning: identity stability under rotation", () => {
  describe("audit plugin chain (server_audit.log, .1 .. .9)", () => {
    it("rotations at distinct times: members keep identity and key as they shift down the chain", () => {
      simulateAudit([
        { op: "append", bytes: 100 }, { op: "rotate" }, { op: "run" },
        { op: "tick", ms: 1000 }, { op: "append", bytes: 100 }, { op: "rotate" }, { op: "run" },
        ...Array.from({ length: 12 }, () => [{ op: "tick", ms: 1 }, { op: "append", bytes: 100 }, { op: "rotate" }, { op: "run" }] as AuditOp[]).flat(),
      ]);
    });

    // Was a bug: chainRanks counts ranks from the newest member of a LastWritten tie group, and isClosed treats every
    // chain member as closed at once. While the active file still has the group's LastWritten, another rotation
    // can add a newer member to the group, shifting every rank by one: the next run gives content B the identity
    // and key content A was archived under. Equal sizes: B is skipped as "already archived" and never archived;
    // different sizes: B is copied over A's object and A moves to a new key. Ranks are stable only once the
    // group is complete, i.e. a file of the family (the active one) was written after the group's LastWritten.
    it("two rotations in one millisecond with a run between them: both contents are archived, each once", () => {
      // Minimal reproduction of the rank instability: A rotates to .1 at t, a run lists it, B is appended and
      // rotated within the same millisecond t. Now .1=B and .2=A share LastWritten t; ranks count from the newest.
      const t = T0 + 12 * HOUR;
      const first = [file(ACTIVE, t, 0), file(`${ACTIVE}.1`, t, 100)];
      // By run 2 the active file has been written after t: no third member can join LastWritten t any more.
      const second = [file(ACTIVE, t + 5, 10), file(`${ACTIVE}.1`, t, 100), file(`${ACTIVE}.2`, t, 100)];
      const p1 = planInstance({ instance: "db-1", group: "db-1", listing: first, manifest: emptyManifest(), now: t, include: [], activeRefreshMs: 0 });
      const m = applyCopies(emptyManifest(), p1, t);
      const p2 = planInstance({ instance: "db-1", group: "db-1", listing: second, manifest: m, now: t + MINUTE, include: [], activeRefreshMs: 0 });
      const keyIn = (p: typeof p1, name: string) => {
        const a = p.actions.find((x) => x.file.name === name)!;
        return a.action === "reject" ? undefined : a.key;
      };
      // If run 1 archived A (it may also defer it), A (now .2) keeps that key and B (now .1) gets another.
      if (copies(p1).length > 0) {
        assert.equal(keyIn(p2, `${ACTIVE}.2`), copies(p1)[0].key, "A (now .2) must keep the key run 1 archived it under");
        assert.notEqual(keyIn(p2, `${ACTIVE}.1`), copies(p1)[0].key, "B must not take A's key");
      }
      // B is new content: run 2 must copy it (the active file was written after t: B's tie group is complete).
      const b = p2.actions.find((x) => x.file.name === `${ACTIVE}.1`)!;
      assert.equal(b.action, "copy", `B must be archived, got ${JSON.stringify(b)}`);
    });

    it("the same, seen by the planner alone: both contents end up in the bucket, none overwritten", () => {
      simulateAudit([{ op: "append", bytes: 100 }, { op: "rotate" }, { op: "run" }, { op: "append", bytes: 100 }, { op: "rotate" }, { op: "run" }], "none");
    });

    it("members tied on LastWritten keep their identities while the oldest of them fall off `.9`", () => {
      // 11 rotations in one millisecond, a later write, then runs while further rotations push the tied members
      // off the end of the chain one by one.
      const burst: AuditOp[] = Array.from({ length: 11 }, (): AuditOp[] => [{ op: "append", bytes: 100 }, { op: "rotate" }]).flat();
      const later: AuditOp[] = Array.from({ length: 8 }, (): AuditOp[] => [{ op: "tick", ms: 1000 }, { op: "append", bytes: 100 }, { op: "rotate" }, { op: "tick", ms: 1 }, { op: "append", bytes: 1 }, { op: "run" }]).flat();
      simulateAudit([...burst, { op: "tick", ms: 1 }, { op: "append", bytes: 1 }, { op: "run" }, ...later], "runs");
    });

    it("property: random appends, rotations (several per millisecond) and runs: one content, one identity, one key, archived once", () => {
      fc.assert(fc.property(auditOpsArb, (ops) => simulateAudit(ops)), { numRuns: 200 });
    });

    it("property: same, with listings observed only by runs, each run a millisecond after the last event", () => {
      // A rename keeps LastWritten: content last written at t can join the chain later than t, so the clock
      // moving on does not complete a tie group; only a later write to the active file does.
      const ops = auditOpsArb.map((xs) =>
        xs.flatMap((o): AuditOp[] => (o.op === "run" ? [{ op: "tick", ms: 1 }, o] : [o])),
      );
      fc.assert(fc.property(ops, (xs) => simulateAudit(xs, "runs")), { numRuns: 200 });
    });

    it("property (control): when every run follows a later write to the active file, identities are stable", () => {
      // With the active file written after every listed member, no tie group can grow: newest-first ranks hold,
      // also while members fall off `.9`. Passing here and failing above pins the bug on unfinished tie groups.
      const ops = auditOpsArb.map((xs) =>
        xs.flatMap((o): AuditOp[] => (o.op === "run" ? [{ op: "tick", ms: 1 }, { op: "append", bytes: 1 }, o] : [o])),
      );
      fc.assert(fc.property(ops, (xs) => simulateAudit(xs, "runs")), { numRuns: 200 });
    });
  });

  describe("audit plugin chain: a member deleted out of order, copies that fail", () => {
    // Was a bug (a serialized simulator run archived 183 lines twice, under `-1` and `-2` of one LastWritten):
    // ranks count the newer members of a tie group, so deleting a newer member moves every older one up a rank.
    // Members already archived under their old ranks were copied again under the new ones: one content under two
    // keys, and another content written over the old key.
    const t = T0 + 12 * HOUR;
    const tied = [file(ACTIVE, t + 5, 10), file(`${ACTIVE}.1`, t, 100), file(`${ACTIVE}.2`, t, 120), file(`${ACTIVE}.3`, t, 130)];
    const plan = (listing: ListedFile[], manifest: Manifest, now: number) =>
      planInstance({ instance: "db-1", group: "db-1", listing, manifest, now, include: [], activeRefreshMs: 0 });

    it("`.2` and `.3` archived, `.1` deleted before its copy: nothing is copied again, the tie group is reported", () => {
      const first = plan(tied, emptyManifest(), t + MINUTE);
      const archived = { ...first, actions: first.actions.filter((a) => a.file.name !== `${ACTIVE}.1`) };
      const manifest = applyCopies(emptyManifest(), archived, t + MINUTE);
      const second = plan(tied.filter((f) => f.name !== `${ACTIVE}.1`), manifest, t + 2 * MINUTE);
      assert.deepEqual(copies(second), [], "a member archived under its old rank must not be copied under a new one");
      for (const name of [`${ACTIVE}.2`, `${ACTIVE}.3`]) {
        const a = second.actions.find((x) => x.file.name === name)!;
        assert.equal(a.action, "reject", name);
        assert.match(a.action === "reject" ? a.reason : "", /server_audit\.log last written at 2024-10-01T12:00:00\.000Z changed ranks \(a newer one was deleted\)/);
      }
    });

    it("all archived, then the newest of the tie deleted: no copy writes over another content", () => {
      const first = plan(tied, emptyManifest(), t + MINUTE);
      const manifest = applyCopies(emptyManifest(), first, t + MINUTE);
      const second = plan(tied.filter((f) => f.name !== `${ACTIVE}.1`), manifest, t + 2 * MINUTE);
      assert.deepEqual(copies(second), []);
    });

    it("a tie group whose members all kept their ranks is copied as before", () => {
      const first = plan(tied, emptyManifest(), t + MINUTE);
      const archived = { ...first, actions: first.actions.filter((a) => a.file.name !== `${ACTIVE}.1`) };
      const manifest = applyCopies(emptyManifest(), archived, t + MINUTE);
      // The oldest falls off the end instead: ranks count from the newest, so nothing shifts.
      const second = plan(tied.filter((f) => f.name !== `${ACTIVE}.3`), manifest, t + 2 * MINUTE);
      assert.deepEqual(copies(second).map((c) => c.file.name), [`${ACTIVE}.1`]);
    });

    /** Every content gets a size of its own: a deleted member is told from its successor by size. */
    class DistinctSizeChain extends AuditChain {
      override rotate(): boolean {
        if (this.active.size === 0) return false;
        this.active.size += this.active.content * 1_000_000;
        return super.rotate();
      }
    }

    type Op = AuditOp | { op: "delete"; index: number } | { op: "run-failing"; mask: number };
    const opArb: fc.Arbitrary<Op[]> = fc
      .array(
        fc.oneof(
          { weight: 5, arbitrary: singleOpArb.map((o): Op[] => [o]) },
          { weight: 1, arbitrary: burstArb },
          { weight: 2, arbitrary: fc.integer({ min: 1, max: 9 }).map((index): Op[] => [{ op: "delete", index }]) },
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 1023 }).map((mask): Op[] => [{ op: "tick", ms: 1 }, { op: "append", bytes: 1 }, { op: "run-failing", mask }]) },
        ),
        { minLength: 1, maxLength: 50 },
      )
      .map((xs) => xs.flat());

    it("property: members deleted anywhere in the chain, runs whose copies partly fail: no content under two keys, no key over two contents", () => {
      fc.assert(
        fc.property(opArb, (ops) => {
          const sim = new DistinctSizeChain();
          const check = new ExactlyOnceChecker(["chain-member"]);
          for (const o of ops) {
            if (o.op === "append") sim.append(o.bytes);
            if (o.op === "rotate" && !sim.rotate()) continue;
            if (o.op === "tick") sim.now += o.ms;
            if (o.op === "delete" && !sim.delete(o.index)) continue;
            check.log.push(o.op === "delete" ? `delete(.${o.index})` : o.op === "run-failing" ? `run(fail ${o.mask.toString(2)})` : o.op === "tick" ? `tick(${o.ms})` : o.op === "append" ? `append(${o.bytes})` : o.op);
            if (o.op === "run") check.run(sim.files(), sim.now);
            // Bit i of the mask fails the copy of `.i+1`.
            if (o.op === "run-failing") check.run(sim.files(), sim.now, (c) => ((o.mask >> (Number(c.file.name.split(".").pop()) - 1)) & 1) === 1);
          }
          sim.now += DAY;
          sim.append(1);
          check.run(sim.files(), sim.now);
          check.assertArchived(sim.members, true);
        }),
        { numRuns: Number(process.env.NUM_RUNS ?? 300) },
      );
    });
  });

  describe("MySQL hourly slots over several days", () => {
    /** Old-style MySQL: at each hour boundary the active file's content moves to `.<hour that ended>`. */
    class SlowQueryLog {
      now = T0;
      private next = 1;
      private readonly base = "slowquery/mysql-slowquery.log";
      active: SimFile = { name: this.base, content: this.next++, size: 0, lastWritten: T0 };
      slots = new Map<number, SimFile>();
      /** The hour each content was written in. */
      readonly hourOf = new Map<number, number>([[1, T0]]);

      constructor(private readonly touchOnRotate: boolean) {}

      advance(ms: number, append: number): void {
        const target = this.now + ms;
        for (let b = Math.floor(this.now / HOUR) * HOUR + HOUR; b <= target; b += HOUR) {
          const hour = new Date(b - HOUR).getUTCHours();
          const lw = this.touchOnRotate || this.active.size === 0 ? Math.max(this.active.lastWritten, b) : this.active.lastWritten;
          this.slots.set(hour, { ...this.active, name: `${this.base}.${hour}`, lastWritten: lw });
          this.active = { name: this.base, content: this.next++, size: 0, lastWritten: b };
          this.hourOf.set(this.active.content, b);
        }
        this.now = target;
        if (append > 0) {
          this.active.size += append;
          this.active.lastWritten = this.now;
        }
      }

      files(): SimFile[] {
        return [this.active, ...this.slots.values()];
      }
    }

    const stepArb = fc.record({
      ms: fc.oneof(fc.integer({ min: 0, max: 3 * HOUR }), fc.constantFrom(0, 1, HOUR - 1, HOUR, 23 * HOUR, DAY, DAY + 1)),
      append: fc.constantFrom(0, 10, 10, 25),
      run: fc.boolean(),
    });

    it("property: the same `.N` name with new content each day gets a new key; the same content keeps its key, filed under its hour", () => {
      fc.assert(
        fc.property(fc.boolean(), fc.array(stepArb, { minLength: 1, maxLength: 80 }), (touchOnRotate, steps) => {
          const sim = new SlowQueryLog(touchOnRotate);
          const check = new ExactlyOnceChecker(["hourly-slot"]);
          for (const s of steps) {
            sim.advance(s.ms, s.append);
            check.log.push(`+${s.ms}ms/${s.append}B${s.run ? "/run" : ""}`);
            const files = sim.files();
            check.observe(files, sim.now);
            // The key files the content under the hour it was written in.
            const listing = files.map((f) => file(f.name, f.lastWritten, f.size));
            for (const [f, t] of archiveTargets("db-1", "db-1", classifyListing(listing))) {
              if (f.kind !== "hourly-slot" || "error" in t) continue;
              const content = files.find((x) => x.name === f.file.name)!.content;
              assert.equal(t.period, sim.hourOf.get(content), `${f.file.name} lw=${new Date(f.file.lastWritten).toISOString()}`);
            }
            if (s.run) check.run(files, sim.now);
          }
          sim.advance(HOUR, 0);
          check.run(sim.files(), sim.now);
          check.assertArchived([...sim.slots.values()]);
        }),
        { numRuns: 200 },
      );
    });
  });
});
