/**
 * Starts the fakes and runs the engine against them: in-process (runSync), or as `pulumi up` ships it (the
 * sync function's serialized handler in a host process, test/shipped). The serialized runner takes the same
 * settings, encoded as the function's environment, and the test's clock as the host's virtual clock.
 */
import { DEFAULTS, runSync, type SyncRuntime } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import type { SyncReport } from "../../archiver/report";
import { settingsToEnv, type SyncSettings } from "../../archiver/settings";
import { childEnv } from "../../local-aws/env";
import { FakeRds, type FakeRdsOptions } from "../../local-aws/fake-rds";
import { LocalS3 } from "../../local-aws/local-s3";
import type { MultipartOptions } from "../../local-aws/s3-multipart";
import { VirtualClockFile } from "../shipped/clock";
import { HostPool } from "../shipped/pool";
import { RUNNERS, SCHEDULED_EVENT, type Runner } from "../shipped/runner";

export const BUCKET = "archive-test";
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 9, 1, 0, 0, 0);

export { RUNNERS, SCHEDULED_EVENT, type Runner };

export interface Harness {
  rds: FakeRds;
  s3: LocalS3;
  env: NodeJS.ProcessEnv;
  runner: Runner;
  /**
   * One run. Serialized, `runtime` may set `now` (sampled when the run starts, then held), `env` and `timeLeftMs`
   * (the invocation's remaining time: counted down in real time from its first value, and set to each new value it
   * returns during the run); `onEvent` and `sdk` exist in-process only.
   */
  sync(settings?: Partial<SyncSettings>, runtime?: Partial<SyncRuntime>): Promise<SyncReport>;
  /** Serialized only: SIGKILLs the hosts in the middle of an invocation, as Lambda's timeout or an out-of-memory kill does. */
  killBusyHosts(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_SETTINGS: SyncSettings = {
  bucket: BUCKET, instances: [], clusters: [], include: [], concurrency: 4, activeRefreshMinutes: 0, dryRun: false,
  connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds, readTimeoutSeconds: DEFAULTS.readTimeoutSeconds,
  // The serialized function backs off as the in-process runs do (their runtime retry below), not for seconds.
  retryBaseDelayMs: 1, retryMaxDelayMs: 5,
};

export async function startHarness(
  rdsOptions: FakeRdsOptions = {},
  runner: Runner = "in-process",
  s3Options: MultipartOptions = {},
): Promise<Harness> {
  const rds = await FakeRds.start(rdsOptions);
  const s3 = await LocalS3.start({ buckets: [BUCKET], ...s3Options });
  // The same settings a child process gets; in-process, the engine reads them from this object.
  const env = childEnv(rds, s3);
  const sdk = loadAwsSdk();
  const serialized = runner === "serialized" ? serializedRunner(env) : undefined;
  return {
    rds,
    s3,
    env,
    runner,
    sync: (settings = {}, runtime = {}) =>
      serialized
        ? serialized.sync({ ...DEFAULT_SETTINGS, ...settings }, runtime)
        : runSync({ ...DEFAULT_SETTINGS, ...settings }, { sdk, env, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...runtime }),
    killBusyHosts: async () => {
      if (!serialized) throw new Error("only the serialized runner has hosts to kill");
      await serialized.killBusyHosts();
    },
    stop: async () => {
      await serialized?.stop();
      await rds.stop();
      await s3.stop();
    },
  };
}

/**
 * Hosts per environment, kept warm: a run with other settings or credentials is another function's cold start;
 * overlapping runs get a host each.
 */
function serializedRunner(baseEnv: NodeJS.ProcessEnv) {
  const clock = VirtualClockFile.create(Date.now());
  const pools = new Map<string, HostPool>();
  return {
    async sync(settings: SyncSettings, runtime: Partial<SyncRuntime>): Promise<SyncReport> {
      const unsupported = (["sdk", "onEvent", "retry", "gzipLevel", "s3Limits", "signal"] as const).filter((k) => runtime[k] !== undefined);
      if (unsupported.length > 0) throw new Error(`the serialized handler takes no ${unsupported.join(", ")}: run this test in-process only`);
      if (settings.dryRun) throw new Error("the Lambda has no dry run: run this test in-process only");
      const env = { ...(runtime.env ?? baseEnv), ...settingsToEnv(settings) };
      const key = JSON.stringify(env);
      let pool = pools.get(key);
      if (!pool) pools.set(key, (pool = new HostPool("sync", { env, clock })));
      clock.set((runtime.now ?? Date.now)());
      const timeLeft = runtime.timeLeftMs;
      if (!timeLeft) return pool.call<SyncReport>(SCHEDULED_EVENT);
      const hostsBefore = new Set(pool.hosts.filter((host) => host.busy));
      let sent = timeLeft();
      const call = pool.call<SyncReport>(SCHEDULED_EVENT, { remainingMs: sent });
      // A new value from timeLeftMs reaches the host at once, as in-process the engine would read it.
      const follow = setInterval(() => {
        const now = timeLeft();
        const hosts = pool!.hosts.filter((host) => host.busy && !hostsBefore.has(host));
        // Until its host is busy (a cold start), the invocation has not begun: the new value is sent once it has.
        if (now === sent || hosts.length === 0) return;
        sent = now;
        for (const host of hosts) host.setRemainingTime(now);
      }, 50);
      try {
        return await call;
      } finally {
        clearInterval(follow);
      }
    },
    async killBusyHosts(): Promise<void> {
      await Promise.all([...pools.values()].flatMap((p) => p.hosts.filter((host) => host.busy).map((host) => host.kill("SIGKILL"))));
    },
    async stop(): Promise<void> {
      await Promise.all([...pools.values()].map((p) => p.stop()));
      clock.dispose();
    },
  };
}

export function lines(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix} line ${i} ✓ ログ\n`).join("");
}
