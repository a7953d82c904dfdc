/** Starts the fakes and runs the engine in-process against them. */
import { DEFAULTS, runSync, type SyncRuntime } from "../../archiver";
import { loadAwsSdk } from "../../archiver/aws-sdk";
import type { SyncReport } from "../../archiver/report";
import type { SyncSettings } from "../../archiver/settings";
import { childEnv } from "../fakes/env";
import { FakeRds, type FakeRdsOptions } from "../fakes/fake-rds";
import { LocalS3 } from "../fakes/local-s3";
import type { MultipartOptions } from "../fakes/s3-multipart";

export const BUCKET = "archive-test";
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 9, 1, 0, 0, 0);

export interface Harness {
  rds: FakeRds;
  s3: LocalS3;
  env: NodeJS.ProcessEnv;
  sync(settings?: Partial<SyncSettings>, runtime?: Partial<SyncRuntime>): Promise<SyncReport>;
  stop(): Promise<void>;
}

export async function startHarness(rdsOptions: FakeRdsOptions = {}, s3Options: MultipartOptions = {}): Promise<Harness> {
  const rds = await FakeRds.start(rdsOptions);
  const s3 = await LocalS3.start({ buckets: [BUCKET], ...s3Options });
  // The same settings a child process gets; in-process, the engine reads them from this object.
  const env = childEnv(rds, s3);
  const sdk = loadAwsSdk();
  return {
    rds,
    s3,
    env,
    sync: (settings = {}, runtime = {}) =>
      runSync(
        { bucket: BUCKET, instances: [], clusters: [], include: [], concurrency: 4, activeRefreshMinutes: 0, dryRun: false,
          connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds, readTimeoutSeconds: DEFAULTS.readTimeoutSeconds, ...settings },
        { sdk, env, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...runtime },
      ),
    stop: async () => {
      await rds.stop();
      await s3.stop();
    },
  };
}

export function lines(prefix: string, n: number): string {
  return Array.from({ length: n }, (_, i) => `${prefix} line ${i} ✓ ログ\n`).join("");
}
