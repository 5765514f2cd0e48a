import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { DeviceId } from '../../src/ids.ts';
import { runTransportTests } from '../../src/ports/transport-port-tests.ts';
import { SimulatedNetwork } from '../../src/testing/simulated-network.ts';

/**
 * The simulated network's endpoints keep the port's contract too. The suite awaits events and
 * never steps a network, so a pump delivers whatever is scheduled, yielding to the event loop
 * between rounds. No drops or duplicates here: those break the contract on purpose.
 */
for (const [name, seed, reorder] of [
  ['simulated network, in order', 1, false],
  ['simulated network, reordering', 2, true],
] as const) {
  runTransportTests(
    { describe, it, expect },
    {
      name,
      createNetwork: (n) => {
        const network = new SimulatedNetwork({ seed, minDelayMs: 0, maxDelayMs: 40, reorder });
        const endpoints = Array.from({ length: n }, (_, i) =>
          network.endpoint(`d${i}` as DeviceId),
        );
        const pumping = { on: true };
        const pump = (async () => {
          for (let round = 0; pumping.on && round < 1_000_000; round++) {
            await network.runUntilIdle();
            await nextMacrotask();
          }
        })();
        return Promise.resolve({
          endpoints,
          close: async () => {
            pumping.on = false;
            await pump;
            await Promise.all(endpoints.map((e) => e.close()));
          },
        });
      },
    },
  );
}
