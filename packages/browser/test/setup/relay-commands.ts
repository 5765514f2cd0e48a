import type { BrowserCommand } from 'vitest/node';
import { RelayProcess } from './relay-process.ts';

// One registry per process, like the Node peers': the config and the global setup may load
// this module separately.
const REGISTRY = Symbol.for('kith.browser-tests.relays');
type Registry = Map<string, RelayProcess>;
function relays(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry };
  const found = g[REGISTRY];
  if (found !== undefined) return found;
  const created: Registry = new Map();
  g[REGISTRY] = created;
  return created;
}

/**
 * Starts a relay process of a test's own (one it may stop); resolves to its address: its
 * secure WebSockets one with `tls`.
 */
const relayStart: BrowserCommand<[name: string, options?: { tls?: boolean }]> = async (
  _,
  name,
  options,
) => {
  if (relays().has(name)) throw new Error(`a relay named ${name} is running`);
  const relay = await RelayProcess.start(options);
  relays().set(name, relay);
  return relay.address;
};

/** Stops a test's relay process. */
const relayStop: BrowserCommand<[name: string]> = async (_, name) => {
  const relay = relays().get(name);
  relays().delete(name);
  await relay?.stop();
};

export const relayCommands = { relayStart, relayStop };

/** Stops every test relay still running (the project's teardown). */
export async function stopTestRelays(): Promise<void> {
  const all = [...relays().values()];
  relays().clear();
  await Promise.all(all.map((r) => r.stop()));
}
