/**
 * The package's entry for other Pulumi programs: `import { RdsLogArchive } from "rds-log-archiver"`.
 * Built into out/ by `npm run prepare` (which npm runs when it installs the package from git or a path).
 */
export { RdsLogArchive, STACK_ARCHIVE_NAME, type ArchiveSettings, type RdsLogArchiveArgs } from "./rds-log-archive";
export { ConfigError, type ConfigProblem, type ObjectLockMode, type StorageClass } from "./config";
export type { AwsTarget } from "./account";
