/** Where an RDS event from EventBridge is archived: `events/<YYYY>/<MM>/<DD>/<HH>/<event id>.json` (UTC, event time). */
import { hourPath } from "./hour-path";
import { EVENTS_PREFIX } from "./prefixes";
import { encodeSegment } from "./segments";

/** The same event always maps to the same key, so an EventBridge retry overwrites instead of duplicating. */
export function eventKey(event: { id: string; time: string }): string {
  return `${EVENTS_PREFIX}${hourPath(Date.parse(event.time))}/${encodeSegment(event.id)}.json`;
}
