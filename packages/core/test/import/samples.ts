import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readShared } from '../shared.ts';

/** The Matrix spec's event examples in shared/samples/matrix (read in place, never copied). */
const DIR = 'samples/matrix/';
export const sampleNames: string[] = readdirSync(
  fileURLToPath(new URL(`../../../../../shared/${DIR}`, import.meta.url)),
).sort();

type Json = Record<string, unknown>;

/**
 * A sample with its `$ref` chain resolved (the spec's examples inherit the common fields,
 * sender, event_id, origin_server_ts, room_id, from room_event.json): the full event a client
 * export holds. `core/x.json` refers to `x.json` beside it.
 */
export function sample(name: string): Json {
  const own = JSON.parse(readShared(DIR + name).toString()) as Json;
  const ref = own['$ref'];
  delete own['$ref'];
  if (typeof ref !== 'string') return own;
  const base = sample(ref.replace(/^core\//, ''));
  return { ...base, ...own };
}

/** A sample with other fields: its own event ID, time, sender, content. */
export function event(name: string, change: Json): Json {
  return { ...sample(name), ...change };
}
