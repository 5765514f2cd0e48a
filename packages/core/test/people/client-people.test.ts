import { describe, expect, it } from 'vitest';
import type { KithClient } from '../../src/client/kith-client.ts';
import type { KithEventOf } from '../../src/client/events.ts';
import { toHex } from '../../src/crypto/bytes.ts';
import { generateSigningKeyPair } from '../../src/crypto/ed25519.ts';
import {
  decodeDeviceProfile,
  encodeDeviceProfile,
  PROFILE_META_KEY,
} from '../../src/people/profile.ts';
import { mentionOf } from '../../src/people/mentions.ts';
import { webRandom } from '../../src/ports/random.ts';
import type { RoomId } from '../../src/ids.ts';
import { World } from '../client/world.ts';
import { FakeControlPlane, Forger, keyOf, Member } from '../timeline/helpers.ts';

const nameIn = (c: KithClient, roomId: RoomId, of: KithClient): string | undefined =>
  c.members(roomId).find((m) => m.userId === of.userId)?.displayName;

describe('display names published in rooms', () => {
  it('reaches every member, in rooms made before and joined after it was set', async () => {
    const world = new World(301);
    const [a, b, c] = [await world.add('a pc'), await world.add('b pc'), await world.add('c pc')];
    await b.setProfile({ displayName: 'Ben' });
    const before = await a.createRoom({ name: 'r' });
    await world.invite(a, before, [b, c]);
    await a.setProfile({ displayName: '\u202eAna\x1b\u200b', avatar: 'blob:sha256-abc' });
    await world.settle();
    for (const x of [a, b, c]) {
      expect(nameIn(x, before, a)).toBe('Ana');
      expect(nameIn(x, before, b)).toBe('Ben');
      expect(nameIn(x, before, c)).toBeUndefined();
    }
    expect(c.members(before).find((m) => m.userId === a.userId)).toMatchObject({
      role: 'owner',
      avatar: 'blob:sha256-abc',
      devices: [{ deviceId: a.deviceId, deviceName: 'a pc' }],
    });
    // A room created later, and a room joined later, carry the name too.
    const later = await c.createRoom({ name: 'later' });
    await world.invite(c, later, [a]);
    expect(nameIn(c, later, a)).toBe('Ana');
    // Setting the same profile again writes nothing.
    const unsent = a.syncStatus(later).unsent;
    await a.tick();
    expect(a.syncStatus(later).unsent).toBe(unsent);
  });

  it('per user, the change made last on any device wins, even against a clock ahead', async () => {
    const world = new World(302);
    const [a, b1] = [await world.add('a'), await world.add('b laptop')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b1]);
    const key = generateSigningKeyPair(webRandom);
    const certificate = b1.certifyDevice(key.publicKey, 'b phone');
    const b2 = await world.add('b phone', {
      linkedDevice: { secretKey: key.secretKey, certificate },
    });
    await world.invite(b1, roomId, [b2]);
    await world.tickAll();
    await b1.setProfile({ displayName: 'Ben on laptop' });
    await world.settle();
    expect(nameIn(a, roomId, b1)).toBe('Ben on laptop');
    await b2.setProfile({ displayName: 'Ben on phone' });
    await world.settle();
    expect(nameIn(a, roomId, b1)).toBe('Ben on phone');
    // The laptop's stamp is raised above what it saw, so its next change wins again.
    expect(b2.profile?.updatedAt).toBeGreaterThan(b1.profile?.updatedAt ?? Infinity);
    await b1.setProfile({ displayName: 'Ben' });
    await world.settle();
    expect(nameIn(a, roomId, b2)).toBe('Ben');
    expect(a.members(roomId).find((m) => m.userId === b1.userId)?.devices).toEqual([
      { deviceId: b1.deviceId, deviceName: 'b laptop' },
      { deviceId: b2.deviceId, deviceName: 'b phone' },
    ]);
  });

  it('refuses a name too long to be meant, and avatars that are not URIs', async () => {
    const world = new World(303);
    const a = await world.add('a');
    await expect(a.setProfile({ displayName: 'x'.repeat(65) })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(a.setProfile({ displayName: 'a', avatar: 'no uri' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('a device cannot speak for another device', () => {
  it('an update writing another device’s profile is refused by every member', () => {
    const cp = new FakeControlPlane();
    const alice = new Member('alice', cp);
    const bob = new Member('bob', cp);
    const mallory = new Forger(keyOf('mallory'));
    cp.addDevice(mallory.key.publicKey, 'umallory' as never);
    const own = alice.doc.setMeta(
      PROFILE_META_KEY,
      encodeDeviceProfile({ userName: 'Alice', deviceName: 'pc', avatar: undefined, updatedAt: 1 }),
    );
    expect(bob.doc.receive(own).verdict).toBe('accepted');
    const doc = mallory.mirror(own);
    const forged = Forger.capture(doc, () => {
      doc.getMap(`meta:${alice.device}`).set(
        PROFILE_META_KEY,
        encodeDeviceProfile({
          userName: 'Mallory',
          deviceName: 'x',
          avatar: undefined,
          updatedAt: 9,
        }),
      );
    });
    const verdict = bob.doc.receive(mallory.sign(forged));
    expect(verdict.verdict).toBe('rejected');
    const held = bob.doc.metaValues(PROFILE_META_KEY).get(alice.device);
    expect(held === undefined ? undefined : decodeDeviceProfile(held)?.userName).toBe('Alice');
  });
});

describe('mentions', () => {
  it('notify the mentioned user only, not the sender or anyone else', async () => {
    const world = new World(304);
    const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b, c]);
    const seen = new Map<KithClient, KithEventOf<'mention'>[]>();
    for (const x of [a, b, c]) {
      seen.set(x, []);
      x.on('mention', (e) => seen.get(x)?.push(e));
    }
    const id = await a.send(roomId, `hi ${mentionOf('b', b.userId)}`, { markdown: true });
    // The same link in plain text is not a mention.
    await a.send(roomId, `hi ${mentionOf('c', c.userId)}`);
    await world.settle();
    expect(seen.get(b)).toEqual([{ type: 'mention', roomId, messageId: id, by: a.userId }]);
    expect(seen.get(a)).toEqual([]);
    expect(seen.get(c)).toEqual([]);
  });
});

describe('threads and capabilities', () => {
  it('lists threads with reply counts and returns a thread’s messages', async () => {
    const world = new World(305);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    const root = await a.send(roomId, 'root');
    const other = await a.send(roomId, 'other root');
    await world.settle();
    await b.send(roomId, 'r1', { threadId: root });
    await a.send(roomId, 'r2', { threadId: root });
    await a.send(roomId, 'not in a thread');
    await b.send(roomId, 'o1', { threadId: other });
    await world.settle();
    const threads = a.threads(roomId);
    expect(threads.map((t) => [toHex(t.threadId), t.replies, t.root?.messageId])).toEqual([
      [toHex(other), 1, other],
      [toHex(root), 2, root],
    ]);
    expect(threads[1]?.participants).toEqual([a.userId, b.userId]);
    expect(b.threads(roomId).map((t) => t.replies)).toEqual([1, 2]);
    const texts = a.thread(roomId, root).map((m) => m.content.body);
    expect(
      texts.map((p) => (p.kind === 'single' ? new TextDecoder().decode(p.content) : '')),
    ).toEqual(['root', 'r1', 'r2']);
  });

  it('shows each role’s capabilities', async () => {
    const world = new World(306);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom();
    await world.invite(a, roomId, [b]);
    const owner = a.capabilities(roomId);
    const member = b.capabilities(roomId);
    expect(owner.role).toBe('owner');
    expect(member.role).toBe('member');
    expect(owner.capabilities).toContain('canBan');
    expect(member.capabilities).not.toContain('canBan');
    expect(member.capabilities).toContain('canSendMessage');
    await a.setRole(roomId, b.userId, 'moderator');
    await world.settle();
    expect(b.capabilities(roomId).capabilities).toContain('canDeleteOtherMessage');
  });
});
