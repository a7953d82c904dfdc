/**
 * The simulation driver: engine models on a virtual clock, mirrored into FakeRds, archived by the real engine
 * (runSync, in-process) into LocalS3 every 15 virtual minutes, then checked line by line.
 *
 * Order of things at each virtual step (1 minute by default):
 *   1. every model advances to the step's time (lines, then rotations due at that instant);
 *   2. the FakeRds file table is made equal to the models' (changed files put, vanished files removed);
 *   3. at a sync time (not inside an outage): the oldest fault due is injected, the ledger marks every line in a closed
 *      file as archivable, and runSync runs (twice, concurrently, when the scenario overlaps runs).
 * Races: FakeRds.beforeDownload fires between a run's listing and a download. With the scenario's chance the
 * hook then grows the file, renames it by a rotation, deletes it, or lets virtual time run on for a while
 * (every model advances, so files grow, rotate and expire under the running sync), and re-mirrors.
 * The tail: models stop writing, size/restart-driven active files are cycled once, and time runs on
 * (with syncs, without faults or races) until every clock-driven file has closed and been synced.
 *
 * Runners: "in-process" calls runSync with the virtual clock; "serialized" invokes the sync function as `pulumi up`
 * ships it (test/shipped), in warm host processes that read the virtual clock, with the settings as its environment.
 * Overlapping runs then run in two hosts; a host killed mid-run is recorded as a crash, and the next run starts a
 * fresh one.
 */
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { DEFAULTS, runSync, type SyncReport, type SyncSettings } from "../../archiver";
import { STATE_PREFIX } from "../../archiver/layout/prefixes";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import { settingsToEnv } from "../../archiver/settings";
import { SCHEDULED_EVENT, type Runner } from "../shipped/runner";
import { childEnv } from "../../local-aws/env";
import { FakeRds, type Fault } from "../../local-aws/fake-rds";
import { LocalS3 } from "../../local-aws/local-s3";
import { VirtualClockFile } from "../shipped/clock";
import { HostExited } from "../shipped/host";
import { HostPool } from "../shipped/pool";
import { FanOutStage, type FanOutOptions } from "../fan-out/stage";
import { checkArchive, readArchive, type CheckResult } from "./check-archive";
import type { EngineModel, RaceAction, SimFile } from "./engines";
import { Ledger } from "./ledger";
import { SeededRandom } from "../../local-aws/seeded-random";
import { HOUR, MINUTE, SECOND, floorTo, iso } from "./time";

export interface SimInstance {
  id: string;
  /** Set for Aurora members: the run names the cluster, and keys start with it. */
  cluster?: string;
  /** The engines writing this instance's files (e.g. MySQL hourly logs plus the audit plugin). */
  models: EngineModel[];
}

export interface ModelContext {
  ledger: Ledger;
  /** Fork per model: `rng.fork(name)`. */
  rng: SeededRandom;
  start: number;
}

export type RaceKind = RaceAction | "advance";

export interface RacePlan {
  /** Chance that a download request triggers a race. */
  chance: number;
  kinds: RaceKind[];
  /** Only between these virtual times (default: the whole scenario before the tail). */
  from?: number;
  to?: number;
  /** Upper bound of an "advance" race (default 5 minutes; never past the next scheduled sync). */
  maxAdvanceMs?: number;
}

export interface OverlapPlan {
  /** Every n-th sync runs twice. */
  every: number;
  /** "same-time": both runs start together; "staggered": the second starts when the first downloads. */
  mode: "same-time" | "staggered" | "alternate";
}

export interface ScenarioSpec {
  name: string;
  seed: number;
  /** Virtual start, POSIX ms (default 2024-10-01T00:00Z). */
  start?: number;
  durationMs: number;
  instances: (ctx: ModelContext) => SimInstance[];
  syncEveryMs?: number;
  stepMs?: number;
  /** Time after the load stops, with syncs, before checking (default 2 h). */
  tailMs?: number;
  /** No sync runs inside these windows [from, to). */
  outages?: { from: number; to: number }[];
  /** Injected before the first sync at or after `at`. */
  faults?: { at: number; fault: Fault }[];
  /** Every state object is deleted before the first sync at or after each of these times. */
  stateLosses?: number[];
  races?: RacePlan;
  overlap?: OverlapPlan;
  activeRefreshMinutes?: number;
  concurrency?: number;
  /** LastWritten as listed, truncated to this precision (1000: whole seconds, as RDS examples show); default 1. */
  lastWrittenPrecisionMs?: number;
  /** Default "in-process". "fan-out": every sync is a tick of the serialized dispatcher, drained by serialized workers. */
  runner?: SimRunner;
  /** With the fan-out runner: the workers' concurrency, lost deletes (second deliveries). */
  fanOut?: Pick<FanOutOptions, "workerConcurrency" | "loseDelete">;
  /** Print a line per sync with copies/failures. */
  verbose?: boolean;
  /** Called after every sync (e.g. to sample model state for assertions). */
  onSync?: (sim: Simulation, record: SyncRecord) => void | Promise<void>;
}

export interface SyncRecord {
  index: number;
  at: number;
  reports: SyncReport[];
  /** Runs whose host died before returning a report (serialized runner only). */
  crashes: string[];
}

export interface ScenarioResult {
  name: string;
  check: CheckResult;
  syncs: SyncRecord[];
  races: Record<RaceKind, number>;
  faultsInjected: number;
  /** Failed files and failed instances/targets over all runs, one line each. */
  failures: string[];
  totals: { copied: number; failed: number; bytesRead: number; bytesWritten: number };
  /** Plain bytes of every line the models wrote. */
  bytesWritten: number;
  linesWritten: number;
  droppedDuringSync: number;
  durationMs: number;
}

export const DEFAULT_START = Date.UTC(2024, 9, 1, 0, 0);
export type SimRunner = Runner | "fan-out";
export const BUCKET = "sim-archive";
/** The retry backoff of every run of the engine here (RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS for the functions). */
const SIM_RETRY = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 } as const;

/** A running simulation: the models, the fakes, the virtual clock. Use runScenario() unless a test needs the pieces. */
export class Simulation {
  readonly ledger: Ledger;
  readonly rng: SeededRandom;
  private clockTime: number;
  readonly syncs: SyncRecord[] = [];
  readonly races: Record<RaceKind, number> = { grow: 0, rotate: 0, vanish: 0, advance: 0 };
  racePlan?: RacePlan;
  /** Upper bound for time advanced inside a race (the next scheduled sync). */
  raceHorizon = Infinity;
  private readonly mirrored = new Map<string, Map<string, number>>();
  private hookChain: Promise<unknown> = Promise.resolve();
  private onDownload?: () => void;
  private readonly clockFile?: VirtualClockFile;
  /** The sync function's hosts, serialized runner only. */
  readonly hosts?: HostPool;
  /** The dispatcher, queue and workers, fan-out runner only. */
  fanOut?: FanOutStage;

  private constructor(
    readonly rds: FakeRds,
    readonly s3: LocalS3,
    readonly instances: SimInstance[],
    ledger: Ledger,
    rng: SeededRandom,
    start: number,
    readonly settings: SyncSettings,
    private readonly precisionMs: number,
    readonly runner: SimRunner,
  ) {
    this.ledger = ledger;
    this.rng = rng;
    this.clockTime = start;
    if (runner !== "in-process") this.clockFile = VirtualClockFile.create(start);
    if (runner === "serialized") {
      this.hosts = new HostPool("sync", { env: childEnv(rds, s3, settingsToEnv(settings)), clock: this.clockFile });
    }
    rds.beforeDownload = (instance, file) => this.hookQueue(() => this.beforeDownload(instance, file));
  }

  /** The virtual time; a serialized handler reads it at once, even in the middle of a run. */
  get now(): number {
    return this.clockTime;
  }

  set now(t: number) {
    this.clockTime = t;
    this.clockFile?.set(t);
  }

  static async start(o: {
    seed: number;
    start?: number;
    instances: (ctx: ModelContext) => SimInstance[];
    activeRefreshMinutes?: number;
    concurrency?: number;
    lastWrittenPrecisionMs?: number;
    runner?: SimRunner;
    fanOut?: ScenarioSpec["fanOut"];
  }): Promise<Simulation> {
    const start = o.start ?? DEFAULT_START;
    const rng = new SeededRandom(o.seed);
    const ledger = new Ledger(rng.fork("ledger"));
    const instances = o.instances({ ledger, rng: rng.fork("models"), start });
    const rds = await FakeRds.start();
    let s3: LocalS3;
    try {
      s3 = await LocalS3.start({ buckets: [BUCKET] });
    } catch (e) {
      await rds.stop();
      throw e;
    }
    const clusters = new Map<string, string[]>();
    for (const inst of instances) {
      rds.addInstance(inst.id);
      if (inst.cluster) clusters.set(inst.cluster, [...(clusters.get(inst.cluster) ?? []), inst.id]);
    }
    for (const [id, members] of clusters) rds.setCluster(id, members);
    const settings: SyncSettings = {
      bucket: BUCKET,
      instances: instances.filter((i) => !i.cluster).map((i) => i.id),
      clusters: [...clusters.keys()],
      include: [],
      concurrency: o.concurrency ?? 4,
      activeRefreshMinutes: o.activeRefreshMinutes ?? 0,
      connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds,
      readTimeoutSeconds: DEFAULTS.readTimeoutSeconds,
      dryRun: false,
      // Virtual hours, real waits: retries back off by milliseconds, in this process and in the serialized function
      // alike (the default policy's 250 ms to 20 s, full jitter, made the serialized runs wait tens of seconds).
      ...SIM_RETRY,
    };
    const sim = new Simulation(rds, s3, instances, ledger, rng.fork("driver"), start, settings, o.lastWrittenPrecisionMs ?? 1, o.runner ?? "in-process");
    sim.mirror();
    if (sim.runner === "fan-out") {
      sim.fanOut = await FanOutStage.start({ rds, s3, settings, clock: sim.clockFile, now: () => sim.now, ...o.fanOut });
    }
    return sim;
  }

  /** instance -> group (cluster id or instance id). */
  get groups(): Map<string, string> {
    return new Map(this.instances.map((i) => [i.id, i.cluster ?? i.id]));
  }

  models(): EngineModel[] {
    return this.instances.flatMap((i) => i.models);
  }

  allFiles(): SimFile[] {
    return this.models().flatMap((m) => m.files());
  }

  /** Advances every model to t in steps, mirroring after each step. */
  advanceTo(t: number, stepMs = MINUTE): void {
    while (this.now < t) {
      const next = Math.min(t, floorTo(this.now, stepMs) + stepMs);
      for (const m of this.models()) m.advanceTo(next);
      this.now = next;
      this.mirror();
    }
  }

  /** Makes FakeRds list exactly the models' files. */
  mirror(): void {
    for (const inst of this.instances) {
      let known = this.mirrored.get(inst.id);
      if (!known) this.mirrored.set(inst.id, (known = new Map()));
      const current = new Map<string, SimFile>();
      for (const m of inst.models) {
        for (const f of m.files()) {
          if (current.has(f.name)) throw new Error(`${inst.id}: two models write ${f.name}`);
          current.set(f.name, f);
        }
      }
      for (const name of [...known.keys()]) {
        if (!current.has(name)) {
          this.rds.removeFile(inst.id, name);
          known.delete(name);
        }
      }
      for (const [name, f] of current) {
        if (known.get(name) === f.version) continue;
        const lastWritten = f.lastWritten - (f.lastWritten % this.precisionMs);
        this.rds.putFile(inst.id, { name, lastWritten, content: f.served() });
        known.set(name, f.version);
      }
    }
  }

  private runtime() {
    return {
      sdk: loadAwsSdk(),
      env: {
        AWS_REGION: this.rds.region,
        AWS_ACCESS_KEY_ID: "S3RVER",
        AWS_SECRET_ACCESS_KEY: "S3RVER",
        AWS_ENDPOINT_URL_RDS: this.rds.endpoint,
        AWS_ENDPOINT_URL_S3: this.s3.endpoint,
        AWS_REQUEST_CHECKSUM_CALCULATION: "WHEN_REQUIRED",
        AWS_RESPONSE_CHECKSUM_VALIDATION: "WHEN_REQUIRED",
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      },
      now: () => this.now,
    };
  }

  /** One run of the engine, in-process or by invoking the serialized function. */
  private run(): Promise<SyncReport> {
    return this.hosts ? this.hosts.call<SyncReport>(SCHEDULED_EVENT) : runSync(this.settings, this.runtime());
  }

  /**
   * One sync opportunity at the current virtual time: marks archivable lines, then runs the engine once,
   * or twice overlapping ("same-time": started together; "staggered": the second starts during the first's
   * first download).
   */
  async sync(overlap?: "same-time" | "staggered"): Promise<SyncRecord> {
    this.mirror();
    const index = this.ledger.beginSync(this.allFiles());
    const at = this.now;
    try {
      if (this.fanOut) return await this.tick(index, at);
      const runs: Promise<SyncReport>[] = [];
      const start = () => runs.push(this.run());
      if (overlap === "same-time") {
        start();
        start();
      } else if (overlap === "staggered") {
        this.onDownload = () => {
          this.onDownload = undefined;
          start();
        };
        start();
        await runs[0].catch(() => undefined);
        this.onDownload = undefined;
        if (runs.length < 2) start();
      } else {
        start();
      }
      const record: SyncRecord = { index, at, reports: [], crashes: [] };
      for (const outcome of await Promise.allSettled(runs)) {
        if (outcome.status === "fulfilled") record.reports.push(outcome.value);
        else if (outcome.reason instanceof HostExited) record.crashes.push(outcome.reason.message);
        else throw outcome.reason;
      }
      this.syncs.push(record);
      return record;
    } finally {
      this.ledger.endSync(index);
    }
  }

  /** A fan-out tick: the dispatcher at the virtual time, then workers until the queue is empty. */
  private async tick(index: number, at: number): Promise<SyncRecord> {
    const stage = this.fanOut!;
    const before = stage.runs.length;
    await stage.dispatch(new Date(at).toISOString());
    await stage.drain();
    const runs = stage.runs.slice(before);
    const record: SyncRecord = { index, at, reports: stage.reports(runs), crashes: runs.flatMap((r) => (r.crashed ? [r.crashed] : [])) };
    this.syncs.push(record);
    return record;
  }

  private hookQueue<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.hookChain.then(fn, fn);
    this.hookChain = run.catch(() => undefined);
    return run;
  }

  private async beforeDownload(instance: string, file: string): Promise<void> {
    this.onDownload?.();
    const plan = this.racePlan;
    if (!plan || this.now < (plan.from ?? -Infinity) || this.now >= (plan.to ?? Infinity)) return;
    if (!this.rng.chance(plan.chance)) return;
    const inst = this.instances.find((i) => i.id === instance);
    const model = inst?.models.find((m) => m.file(file) !== undefined);
    // The kinds that happened least so far come first (ties in random order): every kind a file allows then
    // happens at its first chance, however downloads interleave, so a scenario's coverage does not hang on timing.
    const kinds = [...plan.kinds]
      .map((kind) => ({ kind, tieBreak: this.rng.next() }))
      .sort((a, b) => this.races[a.kind] - this.races[b.kind] || a.tieBreak - b.tieBreak)
      .map((k) => k.kind);
    for (const kind of kinds) {
      if (this.race(kind, model, file, plan)) {
        this.races[kind]++;
        this.mirror();
        return;
      }
    }
  }

  private race(kind: RaceKind, model: EngineModel | undefined, file: string, plan: RacePlan): boolean {
    switch (kind) {
      case "advance": {
        const limit = Math.min(plan.maxAdvanceMs ?? 5 * MINUTE, this.raceHorizon - 1 - this.now);
        if (limit < SECOND) return false;
        const target = this.now + this.rng.int(SECOND, limit);
        for (const m of this.models()) m.advanceTo(target);
        this.now = target;
        return true;
      }
      case "grow":
        return model?.grow(file, this.rng.int(1, 5)) ?? false;
      case "rotate":
        return model?.rotate(file) ?? false;
      case "vanish":
        return model?.vanish(file) ?? false;
    }
  }

  /** Deletes every state object, as an operator or a lifecycle rule might: the next run must rebuild it. */
  async deleteState(): Promise<number> {
    const states = await this.s3.listAll(BUCKET, { prefix: STATE_PREFIX });
    for (const o of states) await this.s3.client().send(new DeleteObjectCommand({ Bucket: BUCKET, Key: o.key }));
    return states.length;
  }

  async check(): Promise<CheckResult> {
    const objects = await readArchive({ endpoint: this.s3.endpoint, bucket: BUCKET });
    return checkArchive(this.ledger.classify(this.allFiles()), objects, { groups: this.groups });
  }

  /** Checks the archive and sums up every run so far. */
  async result(name: string, o: { faultsInjected?: number; startedAt?: number } = {}): Promise<ScenarioResult> {
    const check = await this.check();
    const totals = { copied: 0, failed: 0, bytesRead: 0, bytesWritten: 0 };
    for (const s of this.syncs) {
      for (const r of s.reports) {
        totals.copied += r.totals.copied;
        totals.failed += r.totals.failed;
        totals.bytesRead += r.totals.bytesRead;
        totals.bytesWritten += r.totals.bytesWritten;
      }
    }
    let bytesWritten = 0;
    for (const text of this.ledger.lines.keys()) bytesWritten += Buffer.byteLength(text) + 1;
    return {
      name,
      check,
      syncs: this.syncs,
      races: this.races,
      faultsInjected: o.faultsInjected ?? 0,
      failures: this.syncs.flatMap(failuresOf),
      totals,
      bytesWritten,
      linesWritten: this.ledger.lines.size,
      droppedDuringSync: this.ledger.droppedDuringSync,
      durationMs: o.startedAt === undefined ? 0 : Date.now() - o.startedAt,
    };
  }

  async stop(): Promise<void> {
    this.rds.beforeDownload = undefined;
    await this.hosts?.stop();
    await this.fanOut?.stop();
    this.clockFile?.dispose();
    await Promise.allSettled([this.rds.stop(), this.s3.stop()]);
  }
}

/** Every failed file and failed target of a run, one line each. */
export function failuresOf(record: SyncRecord): string[] {
  const out: string[] = record.crashes.map((c) => `${iso(record.at)} ${c}`);
  for (const r of record.reports) {
    for (const e of r.errors) out.push(`${iso(record.at)} ${e.target}: ${e.code} ${e.message}`);
    for (const i of r.instances) {
      if (i.error) out.push(`${iso(record.at)} ${i.instance}: ${i.error.code} ${i.error.message}`);
      for (const f of i.failed) out.push(`${iso(record.at)} ${i.instance} ${f.file}: ${f.reason}`);
    }
  }
  return out;
}

function inOutage(spec: ScenarioSpec, t: number): boolean {
  return (spec.outages ?? []).some((o) => t >= o.from && t < o.to);
}

/** Runs a whole scenario and checks the archive. Always stops the fakes. */
export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const start = spec.start ?? DEFAULT_START;
  const syncEvery = spec.syncEveryMs ?? 15 * MINUTE;
  const stepMs = spec.stepMs ?? MINUTE;
  const end = start + spec.durationMs;
  const tailEnd = end + (spec.tailMs ?? 2 * HOUR);
  const sim = await Simulation.start({
    seed: spec.seed,
    start,
    instances: spec.instances,
    activeRefreshMinutes: spec.activeRefreshMinutes,
    concurrency: spec.concurrency,
    lastWrittenPrecisionMs: spec.lastWrittenPrecisionMs,
    runner: spec.runner,
    fanOut: spec.fanOut,
  });
  try {
    const pendingFaults = [...(spec.faults ?? [])].sort((a, b) => a.at - b.at);
    const pendingLosses = [...(spec.stateLosses ?? [])].sort((a, b) => a - b);
    let faultsInjected = 0;
    let syncCount = 0;
    let quiet = false;
    let nextSync = floorTo(start, syncEvery) + syncEvery;
    while (nextSync <= tailEnd) {
      sim.advanceTo(nextSync, stepMs);
      // Races during this sync may run the clock on, but not past the next scheduled sync.
      sim.raceHorizon = nextSync + syncEvery;
      if (!quiet && sim.now >= end) {
        // The tail: no new lines, no faults, no races; active files that only size or restarts rotate are cycled.
        quiet = true;
        sim.racePlan = undefined;
        for (const m of sim.models()) m.quiesce();
        for (const m of sim.models()) m.closeActive();
        sim.mirror();
      } else if (!quiet) {
        sim.racePlan = spec.races;
      }
      if (!inOutage(spec, sim.now)) {
        // One fault per sync, the oldest due: an outage would otherwise stack every fault due during it onto the
        // first sync after it, past what the engine's retries absorb, while the ledger counts that sync as a chance.
        if (!quiet && pendingFaults.length > 0 && pendingFaults[0].at <= sim.now) {
          sim.rds.injectFault(pendingFaults.shift()!.fault);
          faultsInjected++;
        }
        while (pendingLosses.length > 0 && pendingLosses[0] <= sim.now) {
          pendingLosses.shift();
          await sim.deleteState();
        }
        syncCount++;
        const overlap = !quiet && spec.overlap && syncCount % spec.overlap.every === 0 ? spec.overlap.mode : undefined;
        const mode = overlap === "alternate" ? ((syncCount / spec.overlap!.every) % 2 === 0 ? "staggered" : "same-time") : overlap;
        const record = await sim.sync(mode);
        await spec.onSync?.(sim, record);
        if (spec.verbose) {
          const copied = record.reports.reduce((n, r) => n + r.totals.copied, 0);
          const failed = failuresOf(record);
          console.log(`  [${spec.name}] ${iso(record.at)} sync#${record.index}${mode ? ` (${mode})` : ""}: copied ${copied}${failed.length ? `, failures: ${failed.join(" | ")}` : ""}`);
        }
      }
      // A race may have advanced the clock; the next sync stays on the schedule.
      nextSync = floorTo(sim.now, syncEvery) + syncEvery;
    }
    // One last sync at the very end (the loop's last one may have been inside an outage).
    await sim.sync();
    return await sim.result(spec.name, { faultsInjected, startedAt });
  } finally {
    await sim.stop();
  }
}

/** One line for test output. */
export function describeResult(r: ScenarioResult): string {
  const c = r.check;
  return (
    `${r.name}: ${r.syncs.length} syncs, ${r.linesWritten} lines written, ${c.linesChecked} required, ` +
    `lost=${c.lost.length} duplicated=${c.duplicated.length} corrupted=${c.corrupted.length} layout=${c.layout.length} ` +
    `misplaced=${c.misplaced.length} metadata=${c.metadata.length} period=${c.period.length}, pending=${c.pending.total} ` +
    `unarchivable=${c.unarchivable.total}, objects=${c.objects}, copies=${r.totals.copied} failedCopies=${r.totals.failed}, ` +
    `read ${(r.totals.bytesRead / r.bytesWritten).toFixed(2)}x the log bytes, races=${JSON.stringify(r.races)}, ` +
    `faults=${r.faultsInjected}, ${(r.durationMs / 1000).toFixed(1)} s`
  );
}
