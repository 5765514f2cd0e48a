import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import { texts, World } from './world.ts';

describe('removal and demotion cut the timeline, through real clients', () => {
  for (const seed of [61, 62]) {
    it(`the commit records the cut; every member and a later joiner show the same history (seed ${seed})`, async () => {
      const world = new World(seed);
      const [a, b, m, mod] = [
        await world.add('alice'),
        await world.add('bob'),
        await world.add('mallory'),
        await world.add('mona'),
      ];
      const roomId = await a.createRoom({ name: 'club' });
      await world.invite(a, roomId, [b, m, mod]);
      await a.setRole(roomId, mod.userId, 'moderator');
      await world.settle();
      await a.send(roomId, 'a1');
      const b1 = await b.send(roomId, 'b1');
      await m.send(roomId, 'm1 before removal');
      await world.settle();
      await mod.retract(roomId, b1);
      await world.settle();

      await a.remove(roomId, m.userId);
      await a.setRole(roomId, mod.userId, 'member');
      await world.settle();
      const cuts = a.roomState(roomId).cuts ?? [];
      const mallory = cuts.find((c) => toHex(c.device) === toHex(m.device.keyPair.publicKey));
      const mona = cuts.filter((c) => toHex(c.device) === toHex(mod.device.keyPair.publicKey));
      // Mallory's cut is after her message: it stays, on every member.
      expect(mallory).toMatchObject({ removed: true, retractAny: false });
      expect(mallory?.seq).toBeGreaterThan(0);
      // Mona was cut when promoted (not a moderator before) and when demoted (one before).
      expect(mona.map((c) => [c.removed, c.retractAny])).toEqual([
        [false, false],
        [false, true],
      ]);
      expect(b.roomState(roomId).cuts).toEqual(cuts);

      const c = await world.add('carol');
      await world.invite(a, roomId, [c]);
      await world.settle();
      expect(c.roomState(roomId).cuts).toEqual(cuts);
      const expected = ['a1', '<retracted>', 'm1 before removal'];
      for (const x of [a, b, mod, c]) expect([...texts(x, roomId)].sort()).toEqual(expected.sort());
      expect(c.timeline(roomId)).toEqual(a.timeline(roomId));
    });
  }
});
