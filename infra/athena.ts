/**
 * Athena over the archive: a Glue database, a table whose partitions are projected from the key layout
 * (archiver/layout/athena-projection.ts), a workgroup writing its results under QUERY_RESULTS_PREFIX, and saved queries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { archiveTableProjection, PARTITION_COLUMNS, projectionProperties, type ArchiveTableLayout, type ArchiveTableProjection } from "../archiver/layout/athena-projection";
import { QUERY_RESULTS_PREFIX } from "../archiver/layout/prefixes";
import { glueDatabaseName } from "./config/names";

export const TABLE_NAME = "rds_logs";

export interface ArchiveAthenaArgs extends ArchiveTableLayout {
  /** Names the database (`-` becomes `_`) and the workgroup: the sync function's, `<project>-<stage>`. */
  namePrefix: string;
  /** The archive bucket's full name. */
  bucketName: string;
  /** Empty: results are encrypted with SSE-S3, else with this key. */
  kmsKeyArn: string;
}

export class ArchiveAthena extends pulumi.ComponentResource {
  readonly database: aws.glue.CatalogDatabase;
  readonly table: aws.glue.CatalogTable;
  readonly workgroup: aws.athena.Workgroup;
  readonly queries: aws.athena.NamedQuery[];

  constructor(name: string, args: ArchiveAthenaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rds-log-archiver:index:ArchiveAthena", name, {}, opts);
    const parent = { parent: this };
    const projection = projectionOrThrow(args);
    const bucket = args.bucketName;

    this.database = new aws.glue.CatalogDatabase(name, { name: glueDatabaseName(args.namePrefix), description: `RDS logs archived by ${args.namePrefix}` }, parent);
    this.table = new aws.glue.CatalogTable(name, {
      databaseName: this.database.name,
      name: TABLE_NAME,
      ...tableDefinition(bucket, projection),
    }, parent);

    this.workgroup = new aws.athena.Workgroup(name, {
      name: args.namePrefix,
      description: `Queries over the RDS log archive of ${args.namePrefix}`,
      forceDestroy: true,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: `s3://${bucket}/${QUERY_RESULTS_PREFIX}`,
          encryptionConfiguration: args.kmsKeyArn ? { encryptionOption: "SSE_KMS", kmsKeyArn: args.kmsKeyArn } : { encryptionOption: "SSE_S3" },
        },
      },
    }, parent);

    const table = pulumi.interpolate`"${this.database.name}"."${TABLE_NAME}"`;
    this.queries = savedQueries(projection).map((q) =>
      new aws.athena.NamedQuery(`${name}-${q.id}`, {
        name: q.name,
        description: q.description,
        workgroup: this.workgroup.name,
        database: this.database.name,
        query: table.apply(q.sql),
      }, parent),
    );
    this.registerOutputs({ workgroup: this.workgroup.name, database: this.database.name, table: this.table.name });
  }
}

function projectionOrThrow(layout: ArchiveTableLayout): ArchiveTableProjection {
  const result = archiveTableProjection(layout);
  if (!("projection" in result)) throw new pulumi.RunError(`athena: ${result.problems.join("; ")}`);
  return result.projection;
}

/** The table: one `line` column over the gzipped text objects, partitioned and projected as the key layout. */
export function tableDefinition(bucket: string, projection: ArchiveTableProjection): Omit<aws.glue.CatalogTableArgs, "databaseName" | "name"> {
  return {
    tableType: "EXTERNAL_TABLE",
    description: "One row per line of every archived RDS log file",
    parameters: { EXTERNAL: "TRUE", classification: "text", ...projectionProperties(bucket, projection) },
    partitionKeys: projection.partitions.map((p) => ({ name: p.column, type: "string" })),
    storageDescriptor: {
      location: `s3://${bucket}/`,
      inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      // A field delimiter no log line holds: each line is one `line` value, commas and tabs included.
      serDeInfo: { serializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", parameters: { "field.delim": "\u0001" } },
      columns: [{ name: "line", type: "string" }],
    },
  };
}

export interface SavedQuery {
  id: string;
  name: string;
  description: string;
  /** The logtype folder it reads. */
  logType: string;
  sql: (table: string) => string;
}

const { logType: LOGTYPE, hour: DT, instance: INSTANCE } = PARTITION_COLUMNS;

/**
 * The queries people run, as parameterized statements (`?`, filled in by the console or `--execution-parameters`).
 * Each filters the instance and the logtype by equality, which injected partitions require. A query over a logtype the
 * table does not project (an `include` without it) is left out.
 */
export function savedQueries(projection: ArchiveTableProjection): SavedQuery[] {
  const logTypes = projection.partitions.find((p) => p.column === LOGTYPE);
  const projected = (t: string) => logTypes?.type !== "enum" || logTypes.values.includes(t);
  const queries: SavedQuery[] = [
    {
      id: "errors-last-hour",
      name: "Errors in the last hour for an instance",
      description: "ERROR, FATAL and PANIC lines (PostgreSQL) and [ERROR] lines (MySQL) of one instance's error log. Parameter: the instance id.",
      logType: "error",
      sql: (table) =>
        `SELECT ${DT}, ${INSTANCE}, line\nFROM ${table}\nWHERE ${LOGTYPE} = 'error' AND ${INSTANCE} = ?\n` +
        `  AND ${DT} >= date_format(current_timestamp - interval '1' hour, '%Y/%m/%d/%H')\n` +
        `  AND regexp_like(line, '(ERROR|FATAL|PANIC):|\\[ERROR\\]')\nORDER BY ${DT}, "$path"`,
    },
    {
      id: "slowest-queries-of-a-day",
      name: "Slowest queries of a day",
      description:
        "The 50 longest Query_time entries of one instance's MySQL slow query log. Parameters: the instance id, the first and last hour (e.g. '2024/10/01/00', '2024/10/01/23').",
      logType: "slowquery",
      sql: (table) =>
        `SELECT ${INSTANCE}, ${DT}, CAST(regexp_extract(line, 'Query_time: ([0-9.]+)', 1) AS double) AS query_seconds, line, "$path" AS file\n` +
        `FROM ${table}\nWHERE ${LOGTYPE} = 'slowquery' AND ${INSTANCE} = ? AND ${DT} BETWEEN ? AND ?\n` +
        `  AND line LIKE '# Query_time:%'\nORDER BY query_seconds DESC\nLIMIT 50`,
    },
    {
      id: "audit-events-by-user",
      name: "Audit events by user",
      description:
        "MariaDB / Aurora MySQL audit log events counted by database user and operation. Parameters: the instance id, the first and last hour.",
      logType: "audit",
      sql: (table) =>
        `SELECT split_part(line, ',', 3) AS db_user, split_part(line, ',', 7) AS operation, count(*) AS events\n` +
        `FROM ${table}\nWHERE ${LOGTYPE} = 'audit' AND ${INSTANCE} = ? AND ${DT} BETWEEN ? AND ?\n` +
        `GROUP BY 1, 2\nORDER BY events DESC`,
    },
  ];
  return queries.filter((q) => projected(q.logType));
}
