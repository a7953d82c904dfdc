/**
 * The Athena table over the archive: its partition columns, their projection and the location template, derived
 * from the archive key's own parts (archive-key.ts) so that the table reads exactly the keys the engine writes.
 *
 *   grp      enum      the configured instance and cluster ids: known at deploy time, a few dozen at most
 *   logtype  enum      the folders `include` names, when every prefix names one; otherwise injected (any folder RDS
 *                      adds is readable, at the price of an equality filter in every query)
 *   dt       date      the four hour folders read as one `yyyy/MM/dd/HH` value, from 1970 (the earliest hour the
 *                      planner files under) to NOW (no key's hour is later than the moment it is written)
 *   instance injected  Aurora members come and go and replaced instances take new ids: no list holds them
 */
import { ARCHIVE_KEY_PARTS, logTypeSegment, type ArchiveKeyPart } from "./archive-key";
import { HOUR_PATH_PATTERN } from "./hour-path";
import { encodeSegment } from "./segments";

export type PartitionProjection =
  | { column: string; type: "enum"; values: string[] }
  | { column: string; type: "date"; format: string; range: [string, string]; intervalHours: 1 }
  | { column: string; type: "injected" };

/** The partition column of each key part; the file name is not a partition. */
export const PARTITION_COLUMNS: Record<Exclude<ArchiveKeyPart, "file">, string> = { group: "grp", logType: "logtype", hour: "dt", instance: "instance" };

/** The earliest hour the projection covers: log-file-names.ts rejects dates before 1970. */
export const EARLIEST_HOUR = "1970/01/01/00";

export interface ArchiveTableLayout {
  /** The archived ids: every configured instance and cluster. */
  groups: readonly string[];
  /** The sync engine's `include` prefixes (empty: every file). */
  include: readonly string[];
}

export interface ArchiveTableProjection {
  /** In key order. */
  partitions: PartitionProjection[];
  /** The archive object's directory with a `${column}` for each partition: `${grp}/${logtype}/${dt}/${instance}/`. */
  locationTemplate: string;
}

/** The table's projection, or why the layout cannot be projected exactly. */
export function archiveTableProjection(layout: ArchiveTableLayout): { projection: ArchiveTableProjection; problems: [] } | { problems: string[] } {
  const problems: string[] = [];
  // Athena puts a projected value into the location as it is: a value must read the same as its key segment.
  const verbatim = (what: string, raw: string, segment: string) => {
    if (segment !== raw) {
      problems.push(
        `the ${what} "${raw}" is stored as the segment "${segment}", and partition projection substitutes values into the ` +
          "location unescaped: a query would have to name the escaped form, so the table cannot offer it",
      );
    }
  };
  const groups = unique(layout.groups.map((g) => encodeSegment(g)));
  layout.groups.forEach((g) => verbatim("archived id", g, encodeSegment(g)));

  const folders = layout.include.map((prefix) => (prefix.indexOf("/") > 0 ? prefix.slice(0, prefix.indexOf("/")) : undefined));
  const enumerable = folders.length > 0 && folders.every((f) => f !== undefined);
  const logTypes = enumerable ? unique(folders.map((f) => logTypeSegment(`${f}/x`))) : [];
  if (enumerable) folders.forEach((f) => verbatim("include folder", f!, encodeSegment(f!)));
  if (problems.length > 0) return { problems };

  const projections: Record<Exclude<ArchiveKeyPart, "file">, PartitionProjection> = {
    group: { column: PARTITION_COLUMNS.group, type: "enum", values: groups },
    logType: enumerable ? { column: PARTITION_COLUMNS.logType, type: "enum", values: logTypes } : { column: PARTITION_COLUMNS.logType, type: "injected" },
    hour: { column: PARTITION_COLUMNS.hour, type: "date", format: HOUR_PATH_PATTERN, range: [EARLIEST_HOUR, "NOW"], intervalHours: 1 },
    instance: { column: PARTITION_COLUMNS.instance, type: "injected" },
  };
  const partitions = ARCHIVE_KEY_PARTS.filter((p) => p !== "file").map((p) => projections[p]);
  return { projection: { partitions, locationTemplate: `${partitions.map((p) => `\${${p.column}}`).join("/")}/` }, problems: [] };
}

/** The Glue table parameters that configure the projection, for a table over `s3://<bucket>/`. */
export function projectionProperties(bucket: string, projection: ArchiveTableProjection): Record<string, string> {
  const properties: Record<string, string> = { "projection.enabled": "true" };
  for (const p of projection.partitions) {
    const at = `projection.${p.column}`;
    properties[`${at}.type`] = p.type;
    if (p.type === "enum") properties[`${at}.values`] = p.values.join(",");
    if (p.type === "date") {
      Object.assign(properties, {
        [`${at}.format`]: p.format,
        [`${at}.range`]: p.range.join(","),
        [`${at}.interval`]: String(p.intervalHours),
        [`${at}.interval.unit`]: "HOURS",
      });
    }
  }
  properties["storage.location.template"] = `s3://${bucket}/${projection.locationTemplate}`;
  return properties;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
