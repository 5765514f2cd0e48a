import type { RelayStatus } from '@kith/node';
import { describe, expect, it } from 'vitest';
import { RelayStatusReader } from '../../src/tui/relay-status.ts';

describe('RelayStatusReader', () => {
  it('counts connected relays, says how long until the next try, and when one came back', () => {
    let relays: Partial<RelayStatus>[] = [];
    const now = 10_000;
    const reader = new RelayStatusReader(
      () => relays as RelayStatus[],
      () => now,
    );
    relays = [{ connected: false }, { connected: false }];
    // Connecting: no retry scheduled yet.
    expect(reader.read()).toEqual({ status: { relays: 2, relaysUp: 0 }, reconnected: false });
    relays = [
      { connected: false, nextAttemptAt: now + 4_000 },
      { connected: false, nextAttemptAt: now + 1_500 },
    ];
    expect(reader.read()).toEqual({
      status: { relays: 2, relaysUp: 0, relayRetryInMs: 1_500 },
      reconnected: false,
    });
    relays = [{ connected: true }, { connected: false, nextAttemptAt: now + 1_000 }];
    // Back: a warning about the network on screen is stale now (the chat drops it).
    expect(reader.read()).toEqual({ status: { relays: 2, relaysUp: 1 }, reconnected: true });
    expect(reader.read().reconnected).toBe(false);
    relays = [{ connected: false }, { connected: false }];
    expect(reader.read().reconnected).toBe(false);
  });
});
