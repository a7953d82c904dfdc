/**
 * Where a copy that outlives its invocation keeps its multipart upload: one record object per instance,
 * `_state/<group>/_uploads/<instance>.json`, beside the instance's state object. `_uploads` starts with `_`,
 * which encodeSegment never produces, so no instance's state key can take this name. It lies under the
 * group's state prefix, so the sync function reaches it with the state grant of ./ownership.ts, and nothing else does.
 */
import { encodeSegment } from "./segments";
import { statePrefix } from "./state-key";

export const UPLOAD_RECORDS_SEGMENT = "_uploads";

export function uploadRecordKey(group: string, instance: string): string {
  return `${statePrefix(group)}${UPLOAD_RECORDS_SEGMENT}/${encodeSegment(instance)}.json`;
}
