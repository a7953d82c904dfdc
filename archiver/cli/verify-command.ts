/** `rds-log-archiver verify`: what RDS lists against what the archive holds, every object's metadata, and optionally its content and digest chain. */
import { DEFAULT_TIMEOUTS } from "../aws-clients";
import { formatVerifyReport } from "../verify/format-report";
import { runVerify } from "../verify/run-verify";
import { PROGRAM, usageError } from "./args";
import { defineCommand, type CommandContext } from "./command";
import { EXIT, type ExitCode } from "./exit-codes";
import type { OptionSpecs } from "./options";
import { preflight } from "./preflight";

export const VERIFY_OPTIONS = {
  bucket: { flag: "--bucket", kind: "text", placeholder: "<name>", help: "the archive bucket (required)" },
  instances: { flag: "--instance", kind: "list", placeholder: "<id>", help: "a DB instance; repeatable" },
  clusters: { flag: "--cluster", kind: "list", placeholder: "<id>", help: "an Aurora cluster, resolved to its current members; repeatable" },
  deep: {
    flag: "--deep", kind: "flag",
    help: "also gunzip every object and recompute bytes and sha256, and download every\narchived file RDS still holds again to compare content (memory stays flat)",
  },
  digests: { flag: "--digests", kind: "flag", help: "also walk each instance's digest chain and check every object against it" },
} as const satisfies OptionSpecs;

export const verifyCommand = defineCommand({
  name: "verify",
  summary: "prove the archive: every listed file archived or pending, every object intact",
  synopsis: `${PROGRAM} verify --bucket <name> (--instance <id> | --cluster <id>)... [--deep] [--digests]`,
  description:
    "For every file RDS still lists, says whether it is archived (its key holds it as listed), pending (not\n" +
    "closed yet, with the reason), deferred (closed within the last hour: the next sync takes it) or missing.\n" +
    "Checks the bytes, sha256 and rds-* metadata of every object of the instances, and reads the gap ledger.\n" +
    "Reads only. Exit 0 when nothing is missing or mismatched, 1 otherwise.",
  options: VERIFY_OPTIONS,
  async run(values, _positionals, ctx: CommandContext): Promise<ExitCode> {
    if (!values.bucket) throw usageError("--bucket is required");
    if (values.instances.length === 0 && values.clusters.length === 0) throw usageError("name at least one --instance or --cluster");
    const { io, global } = ctx;
    const sdk = ctx.loadSdk();
    const problem = await preflight({ sdk, env: ctx.env, bucket: values.bucket, timeouts: DEFAULT_TIMEOUTS });
    if (problem) {
      io.stderr(`${PROGRAM}: ${problem}`);
      return EXIT.couldNotStart;
    }
    const report = await runVerify(
      { bucket: values.bucket, instances: values.instances, clusters: values.clusters, deep: values.deep, digests: values.digests },
      { sdk, env: ctx.env, ...(io.now ? { now: io.now } : {}) },
    );
    if (global.output === "json") io.stdout(JSON.stringify(report, null, 2));
    else if (!global.quiet) io.stdout(formatVerifyReport(report));
    else if (!report.ok) io.stderr(formatVerifyReport(report).split("\n").at(-1)!);
    return report.ok ? EXIT.ok : EXIT.failed;
  },
});
