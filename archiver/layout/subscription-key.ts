/**
 * Where part of a CloudWatch Logs delivery is archived:
 * `cloudwatch/<log group without leading slash>/<YYYY>/<MM>/<DD>/<HH>/<log stream>-<first event id>.gz`.
 * The key comes from the object's own first event, so a redelivered batch overwrites the same objects.
 */
import { hourPath } from "./hour-path";
import { CLOUDWATCH_PREFIX } from "./prefixes";
import { encodeSegment } from "./segments";

export function subscriptionKey(logGroup: string, logStream: string, first: { id: string; timestamp: number }): string {
  const group = logGroup.replace(/^\/+/, "").split("/").filter(Boolean).map(encodeSegment).join("/");
  return `${CLOUDWATCH_PREFIX}${group}/${hourPath(first.timestamp)}/${encodeSegment(`${logStream}-${first.id}`)}.gz`;
}
