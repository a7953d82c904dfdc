/** What one bench run measured: the shape of bench/results/*.json, which the report and the docs render. */
import type { machineInfo } from "./machine";
import type { BigFileSection } from "../sections/bigfile";
import type { CostResult, GzipRecommendation } from "../sections/cost";
import type { FleetResult } from "../sections/fleet";
import type { GzipLevelRow, MemoryResult, ThroughputResult } from "../sections/memory";
import type { SchemeRun } from "../sections/rotation";
import type { FanOutFigures } from "./fan-out-doc";

export interface Targets {
  memoryAboveIdle: { limitMB: number; valueMB?: number; met?: boolean };
  memorySpread: { limit: number; value?: number; valueAboveIdle?: number; met?: boolean };
  throughputRatio: { limit: number; value?: number; met?: boolean };
  steadyS3PerInstance: { limit: number; value?: number; puts?: number; met?: boolean };
  amplification: { limit: number; worst?: number; worstScheme?: string; met?: boolean };
}

export interface BenchResult {
  generatedAt: string;
  quick: boolean;
  durationSeconds: number;
  machine: ReturnType<typeof machineInfo> & {
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    /** cores kept busy by other processes, sampled while the bench was idle between sections */
    externalLoadCores: Record<string, number | undefined>;
    shared: boolean;
    sharedNote: string;
    topProcessesAtStart: string[];
  };
  engine: { commit: string; archiverDirty: boolean; commitAtEnd?: string; outRebuilt: boolean; defaultGzipLevel: number; defaultConcurrency: number };
  memory?: MemoryResult;
  throughput?: ThroughputResult;
  gzipLevels?: GzipLevelRow[];
  gzipRecommendation?: GzipRecommendation;
  fleet?: FleetResult;
  rotation?: { hours: number; tailHours: number; syncEveryMinutes: number; firstSyncOffsetSeconds: number; runs: SchemeRun[] };
  cost?: CostResult;
  /** Big files across invocations, compression threads, cost per GB by memory size (bench/sections/bigfile.ts). */
  bigFile?: BigFileSection;
  /** Fan-out (section 6), with the date and commit it was measured at: a run of that section alone merges it in. */
  fanOut?: FanOutFigures;
  targets: Targets;
}
