import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import { KvStore } from '../../src/storage/store.ts';
import { runChaos } from '../../src/testing/chaos-scenario.ts';
import { removedMemberAttack } from '../../src/testing/removed-member-attack.ts';
import { macrotask } from './macrotask.ts';

// Not imported from chaos.test.ts: that would register its tests here too.
const chaosOptions = {
  openDatabase: () => new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions),
  yieldTurn: macrotask,
};

/**
 * The chaos scenario with its removed member turned attacker (src/testing/removed-member-attack.ts;
 * `pnpm soak --attacks` runs it over many seeds): from the state it kept, it grinds commits on
 * its old epoch, injects timeline updates naming it and tries to rejoin. The honest verdicts
 * hold, it is out on every honest device, nothing it injected is shown, and no honest device
 * follows (or, having taken the removal, sends at) an epoch it made. Each seed fails when one
 * defence is broken: 1001 fork choice by hash alone, 1002 the cut's `beyond-cut` rule, 1003 the
 * branch guard's "GroupInfo from a member" check.
 */
describe('chaos with a removed member attacking from its kept state', () => {
  for (const seed of [1001, 1002, 1003]) {
    it(`seed ${seed}`, async () => {
      const attack = removedMemberAttack();
      const report = await runChaos(seed, {
        ...chaosOptions,
        restarts: true,
        behaviours: [attack],
      });
      expect(report.divergence).toBeUndefined();
      expect(report.lost).toEqual([]);
      expect(report.leaked).toEqual([]);
      expect(report.removalFailed).toBe(false);
      expect(report.unexpectedErrors).toEqual([]);
      expect(report.attackFindings).toEqual([]);
      // The attack ran: not vacuous.
      const acted = Object.values(attack.actions ?? {}).reduce((n, x) => n + x, 0);
      expect(acted).toBeGreaterThan(0);
    }, 60_000);
  }
});
