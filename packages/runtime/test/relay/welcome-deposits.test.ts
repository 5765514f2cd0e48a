import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { KvStore, type InboxResponse } from '@kith/core';
import { DEPOSIT_TTL_MS, MAX_DEPOSITS, WelcomeDeposits } from '../../src/relay/welcome-deposits.ts';

type Behaviour = 'ok' | 'refuse' | 'down';

/** Relays whose answers a test sets, recording what each one took. */
class FakeRelays {
  readonly behaviour = new Map<string, Behaviour>();
  readonly taken = new Map<string, Uint8Array[]>();

  deposit = (relay: string, _to: Uint8Array, frame: Uint8Array): Promise<InboxResponse> => {
    const b = this.behaviour.get(relay) ?? 'ok';
    if (b === 'down') return Promise.reject(new Error(`${relay} is down`));
    if (b === 'refuse') return Promise.resolve({ type: 'refused', message: 'inbox full' });
    this.taken.set(relay, [...(this.taken.get(relay) ?? []), frame]);
    return Promise.resolve({ type: 'ok' });
  };
}

async function setup(relayNames: readonly string[], kv?: KvStore) {
  const store = kv ?? (await KvStore.open(new MemoryLevel(KvStore.databaseOptions)));
  const relays = new FakeRelays();
  const errors: string[] = [];
  let now = 1_000_000;
  const make = () =>
    new WelcomeDeposits(
      {
        kv: store,
        deposit: relays.deposit,
        now: () => now,
        onError: (e) => errors.push(e.message),
      },
      relayNames,
    );
  return {
    kv: store,
    relays,
    errors,
    make,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const to = Uint8Array.of(1, 2, 3);
const frame = (n: number) => Uint8Array.of(9, n);

describe('WelcomeDeposits: invitations for offline devices reach the relays', () => {
  it('leaves a Welcome with every relay at once and keeps nothing once all took it', async () => {
    const t = await setup(['r1', 'r2']);
    const deposits = t.make();
    await deposits.add(to, frame(1));
    expect(t.relays.taken.get('r1')).toEqual([frame(1)]);
    expect(t.relays.taken.get('r2')).toEqual([frame(1)]);
    expect(await deposits.size()).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it('keeps a Welcome no relay could take across a restart, and delivers it once one is back', async () => {
    const t = await setup(['r1', 'r2']);
    t.relays.behaviour.set('r1', 'down');
    t.relays.behaviour.set('r2', 'down');
    await t.make().add(to, frame(1));
    expect(t.relays.taken.size).toBe(0);
    // The device restarts: a new instance over the same storage.
    const again = t.make();
    expect(await again.size()).toBe(1);
    t.relays.behaviour.set('r2', 'ok');
    await again.flush();
    expect(t.relays.taken.get('r2')).toEqual([frame(1)]);
    // r1 is still owed it; r2 is not offered it twice.
    expect(await again.size()).toBe(1);
    t.relays.behaviour.set('r1', 'ok');
    await again.flush();
    expect(t.relays.taken.get('r1')).toEqual([frame(1)]);
    expect(t.relays.taken.get('r2')).toEqual([frame(1)]);
    expect(await again.size()).toBe(0);
    expect(t.errors).toEqual([]);
  });

  it('says when a relay refuses, and does not offer that relay the Welcome again', async () => {
    const t = await setup(['r1']);
    t.relays.behaviour.set('r1', 'refuse');
    const deposits = t.make();
    await deposits.add(to, frame(1));
    expect(t.errors).toEqual(['A relay refused an invitation: inbox full']);
    expect(await deposits.size()).toBe(0);
  });

  it('gives a Welcome up, and says so, once it has waited past its time', async () => {
    const t = await setup(['r1']);
    t.relays.behaviour.set('r1', 'down');
    const deposits = t.make();
    await deposits.add(to, frame(1));
    t.advance(DEPOSIT_TTL_MS + 1);
    t.relays.behaviour.set('r1', 'ok');
    await deposits.flush();
    expect(t.relays.taken.size).toBe(0);
    expect(await deposits.size()).toBe(0);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatch(/invitation for device 010203 was given up.*invite them again/);
  });

  it('keeps at most MAX_DEPOSITS, giving up the oldest first', async () => {
    const t = await setup(['r1']);
    t.relays.behaviour.set('r1', 'down');
    const deposits = t.make();
    for (let i = 0; i <= MAX_DEPOSITS; i++) {
      await deposits.add(to, Uint8Array.of(i >> 8, i & 255));
      t.advance(1);
    }
    expect(await deposits.size()).toBe(MAX_DEPOSITS);
    expect(t.errors).toHaveLength(1);
    t.relays.behaviour.set('r1', 'ok');
    await deposits.flush();
    const taken = t.relays.taken.get('r1') ?? [];
    expect(taken).toHaveLength(MAX_DEPOSITS);
    expect(taken.some((f) => f[0] === 0 && f[1] === 0)).toBe(false);
  });

  it('drops an unreadable stored entry with a message, and goes on with the rest', async () => {
    const t = await setup(['r1']);
    t.relays.behaviour.set('r1', 'down');
    const deposits = t.make();
    await deposits.add(to, frame(1));
    await t.kv.put('node/deposit/ff', Uint8Array.of(0xff, 0x00));
    t.relays.behaviour.set('r1', 'ok');
    await deposits.flush();
    expect(t.relays.taken.get('r1')).toEqual([frame(1)]);
    expect(t.errors).toEqual(['A stored invitation was unreadable and was dropped.']);
  });
});
