import { MemoryLevel } from 'memory-level';
import { createCommit, decodeMlsMessage, encodeMlsMessage } from 'ts-mls';
import { describe, expect, it } from 'vitest';
import { loadIdentity } from '../../src/client/identity-store.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import { RoomStore } from '../../src/client/room-store.ts';
import { compareBytes, fromHex } from '../../src/crypto/bytes.ts';
import { ConversationGroup, type GroupOptions } from '../../src/group/conversation-group.ts';
import { commitRank, decodeAad, encodeAad } from '../../src/group/epoch.ts';
import { createDeviceKeyPackage, decodeKeyPackage } from '../../src/group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import type { RoomId } from '../../src/ids.ts';
import { webRandom } from '../../src/ports/random.ts';
import type { TransportPort } from '../../src/ports/transport.ts';
import { Roles } from '../../src/room/roles.ts';
import type { RoomState } from '../../src/room/room-state.ts';
import { KvStore } from '../../src/storage/store.ts';
import { encodeDirectFrame } from '../../src/sync/frames.ts';
import { roomTopic } from '../../src/sync/topic.ts';
import { forgedCommit } from '../group/fixtures.ts';
import { FaultyDb } from './faulty-db.ts';
import { World } from './world.ts';

/**
 * A member who keeps its MLS state from before its removal and bypasses its client: its real
 * client is closed, and the attacker works on the stored state (what a backup holds), with a
 * raw endpoint of its device on the simulated network.
 */
interface Attacker {
  readonly group: ConversationGroup;
  readonly options: GroupOptions;
  readonly endpoint: TransportPort;
  readonly topic: string;
  /** Commits seen on the room's topic since the attacker took over. */
  readonly commits: Uint8Array[];
  /** Everything seen on the topic. */
  readonly seen: Uint8Array[];
  readonly db: MemoryLevel<string, Uint8Array>;
}

async function takeOver(
  world: World,
  victim: KithClient,
  db: MemoryLevel<string, Uint8Array>,
  roomId: RoomId,
): Promise<Attacker> {
  await victim.close();
  world.clients.splice(world.clients.indexOf(victim), 1);
  const groupId = fromHex(roomId) ?? new Uint8Array();
  const kv = await KvStore.open(db);
  const options = {
    cs: await loadCiphersuite(),
    config: kithClientConfig(kithAuthenticationService(), 16),
    retainEpochs: 16,
  };
  const records = await new RoomStore(kv, groupId).epochs(options.config);
  await kv.close();
  const group = ConversationGroup.restore(records, options);
  const topic = roomTopic(groupId);
  const endpoint = world.network.endpoint(victim.deviceId);
  endpoint.subscribe(topic);
  const commits: Uint8Array[] = [];
  const seen: Uint8Array[] = [];
  endpoint.onMessage((m) => {
    if (m.kind !== 'topic') return;
    seen.push(m.data);
    const decoded = decodeMlsMessage(m.data, 0)?.[0];
    if (decoded?.wireformat !== 'mls_private_message') return;
    if (decodeAad(decoded.privateMessage.authenticatedData)?.kind === 'commit') {
      commits.push(m.data);
    }
  });
  return { group, options, endpoint, topic, commits, seen, db };
}

async function grind(attacker: Attacker, target: Uint8Array): Promise<Uint8Array> {
  for (let tries = 0; tries < 200; tries++) {
    const commit = await forgedCommit(attacker.group, []);
    if (compareBytes(commitRank(commit), commitRank(target)) < 0) return commit;
  }
  throw new Error('no lower-ranked commit in 200 tries');
}

/** Every honest device agrees, and holds `user` out of the room with `role`. */
function expectOut(honest: readonly KithClient[], roomId: RoomId, user: string, role: number) {
  const first = honest[0];
  if (first === undefined) throw new Error('nobody');
  for (const x of honest) {
    expect(x.roomState(roomId).participants.get(user as never) ?? Roles.none).toBe(role);
    expect(x.room(roomId).devices.some((d) => d.userId === user)).toBe(false);
    expect(x.room(roomId).epoch).toBe(first.room(roomId).epoch);
    expect(x.room(roomId).name).toBe(first.room(roomId).name);
  }
}

async function fourInRoom(seed: number) {
  const world = new World(seed, { minDelayMs: 1, maxDelayMs: 40, reorder: true });
  const [a, b, c] = [await world.add('a'), await world.add('b'), await world.add('c')];
  const db = new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
  const m = await world.add('m', { db });
  const roomId = await a.createRoom({ name: 'club' });
  await world.invite(a, roomId, [b, c, m]);
  await world.tickAll();
  return { world, a, b, c, m, db, roomId };
}

describe('a banned device grinding fork choice, against real clients', () => {
  for (const seed of [301, 302, 303, 304]) {
    it(`never gets back in, while the banning device restarts (seed ${seed})`, async () => {
      const { world, a, b, c, m, db, roomId } = await fourInRoom(seed);
      const mallory = m.userId;
      const attacker = await takeOver(world, m, db, roomId);
      await a.ban(roomId, mallory);
      await world.settle();
      const ban = attacker.commits.at(-1);
      if (ban === undefined) throw new Error('the ban was not seen');
      const restarted = await world.restart(a);
      // No honest device ever takes a room state where the banned user is back, even for a
      // moment (the banning device would make the ban again: the attacker would still have
      // read what was sent in between).
      const seen: RoomState[] = [];
      for (const x of [restarted, b, c]) {
        x.on('room', (e) => seen.push(e.room));
        x.on('membership', (e) => seen.push(e.room));
      }
      // A few rounds: each a fresh commit on the epoch before the ban, ranked below it.
      for (let round = 0; round < 3; round++) {
        await attacker.endpoint.publish(attacker.topic, await grind(attacker, ban));
        await world.settle();
        await world.tickAll();
      }
      expectOut([restarted, b, c], roomId, mallory, Roles.banned);
      for (const room of seen) expect(room.participants.get(mallory)).toBe(Roles.banned);
      // What is sent now is out of its reach, with its state from before the ban (and the
      // ban applied to it: it is then out of the group).
      await attacker.group.receive(ban);
      const before = attacker.seen.length;
      await restarted.send(roomId, 'after the ban');
      await world.settle();
      const sent = attacker.seen.slice(before);
      expect(sent.length).toBeGreaterThan(0);
      for (const message of sent) {
        expect((await attacker.group.receive(message)).kind).not.toBe('application');
      }
      for (const x of [restarted, b, c]) {
        expect(x.timeline(roomId).map((e) => e.messageId)).toHaveLength(1);
      }
      await attacker.endpoint.close();
    }, 60_000);
  }
});

describe('a banned device inviting members into its own branch', () => {
  it('cannot move a member onto it with a Welcome', async () => {
    const { world, a, b, c, m, db, roomId } = await fourInRoom(341);
    const mallory = m.userId;
    const attacker = await takeOver(world, m, db, roomId);
    await a.ban(roomId, mallory);
    await world.settle();
    // On its state from before the ban, bypassing its client, it replaces b's leaf with a fresh
    // key package of b's device: the Welcome would put b on a branch where the ban never happened.
    const kp = decodeKeyPackage(await b.createKeyPackage());
    if (kp === undefined) throw new Error('no key package');
    const head = attacker.group.head;
    const leaf = attacker.group.members().find((x) => x.userId === b.userId)?.leafIndex ?? -1;
    const r = await createCommit(
      { state: head.state, cipherSuite: attacker.options.cs },
      {
        extraProposals: [
          { proposalType: 'remove', remove: { removed: leaf } },
          { proposalType: 'add', add: { keyPackage: kp } },
        ],
        authenticatedData: encodeAad('commit', head.epochId),
        ratchetTreeExtension: true,
      },
    );
    if (r.welcome === undefined) throw new Error('no welcome');
    const welcome = encodeMlsMessage({
      version: 'mls10',
      wireformat: 'mls_welcome',
      welcome: r.welcome,
    });
    const joined: unknown[] = [];
    b.on('joined', (e) => joined.push(e));
    await attacker.endpoint.sendTo(b.deviceId, encodeDirectFrame({ type: 'welcome', welcome }));
    await world.settle();
    expect(joined).toEqual([]);
    expect(b.roomState(roomId).participants.get(mallory)).toBe(Roles.banned);
    await world.tickAll();
    expectOut([a, b, c], roomId, mallory, Roles.banned);
    await attacker.endpoint.close();
  }, 60_000);
});

describe('a ban undone by a stronger concurrent commit', () => {
  it('is made again from the stored intent log after the banning device restarts', async () => {
    const world = new World(311, { minDelayMs: 1, maxDelayMs: 20, reorder: true });
    const [o, a, b, m] = [
      await world.add('o'),
      await world.add('a'),
      await world.add('b'),
      await world.add('m'),
    ];
    const roomId = await o.createRoom({ name: 'club' });
    await world.invite(o, roomId, [a, b, m]);
    await o.setRole(roomId, a.userId, 'admin');
    await world.tickAll();
    // The admin bans m alone; the owner renames in the same epoch (the stronger commit).
    world.network.partition([[a.deviceId], [o.deviceId, b.deviceId, m.deviceId]]);
    await a.ban(roomId, m.userId);
    await o.setRoomProfile(roomId, { name: 'renamed' });
    await world.settle();
    expect(o.roomState(roomId).participants.get(m.userId)).toBe(Roles.member);
    const restarted = await world.restart(a);
    world.network.heal();
    for (let i = 0; i < 4; i++) await world.tickAll();
    expectOut([o, restarted, b], roomId, m.userId, Roles.banned);
    expect(o.room(roomId).name).toBe('renamed');
    expect(m.room(roomId).active).toBe(false);
  }, 60_000);
});

describe('a banning device killed while its ban is undone by a fork', () => {
  // Killed between any two writes after the partition heals: the undone ban is stored with the
  // switch that undid it, so the restarted device makes it again.
  for (let crashAt = 0; crashAt < 6; crashAt++) {
    it(`after ${crashAt} writes, makes the ban again once restarted`, async () => {
      const world = new World(330 + crashAt);
      const db = new FaultyDb();
      const [o, b, m] = [await world.add('o'), await world.add('b'), await world.add('m')];
      const a = await world.add('a', { db, onError: () => undefined });
      const roomId = await o.createRoom({ name: 'club' });
      await world.invite(o, roomId, [a, b, m]);
      await o.setRole(roomId, a.userId, 'admin');
      await world.tickAll();
      world.network.partition([[a.deviceId], [o.deviceId, b.deviceId, m.deviceId]]);
      await a.ban(roomId, m.userId);
      await o.setRoomProfile(roomId, { name: 'renamed' });
      await world.settle();
      db.crashAfter(crashAt);
      world.network.heal();
      for (let i = 0; i < 2; i++) {
        // The killed device's own tick fails: it has stopped.
        for (const x of world.clients) await x.tick().catch(() => undefined);
        await world.settle();
      }
      const restarted = await world.restart(a, db.inner);
      for (let i = 0; i < 4; i++) await world.tickAll();
      expectOut([o, restarted, b], roomId, m.userId, Roles.banned);
      expect(o.room(roomId).name).toBe('renamed');
    }, 60_000);
  }
});

describe('a kicked member rejoining', () => {
  it('by external commit from a saved GroupInfo, or with a GroupInfo of its own branch: refused everywhere', async () => {
    const { world, a, b, c, m, db, roomId } = await fourInRoom(321);
    const mallory = m.userId;
    const attacker = await takeOver(world, m, db, roomId);
    const saved = await attacker.group.groupInfo();
    await a.remove(roomId, mallory);
    await a.setRoomProfile(roomId, { name: 'after the kick' });
    await world.settle();
    // An external commit from the GroupInfo saved while still a member.
    const kv = await KvStore.open(db);
    const { device } = await loadIdentity(kv, webRandom, world.network.clock, 'm');
    await kv.close();
    const kp = await createDeviceKeyPackage(device, attacker.options.cs);
    const back = await ConversationGroup.rejoin(
      saved,
      kp.publicPackage,
      kp.privatePackage,
      attacker.options,
    );
    if (typeof back === 'string') throw new Error(back);
    await attacker.endpoint.publish(attacker.topic, back.commit);
    await world.settle();
    // Its own branch, made longer than the room's, offered to each member as the chain to join.
    for (let i = 0; i < 6; i++) {
      const r = await attacker.group.commit([]);
      if (!r.ok) throw new Error(r.refusal.message);
    }
    const groupInfo = await attacker.group.groupInfo();
    const frame = encodeDirectFrame({
      type: 'groupinfo',
      groupId: attacker.group.groupId,
      groupInfo,
    });
    for (const x of [a, b, c]) await attacker.endpoint.sendTo(x.deviceId, frame);
    await world.settle();
    await world.tickAll();
    expectOut([a, b, c], roomId, mallory, Roles.none);
    for (const x of [a, b, c]) expect(x.room(roomId).name).toBe('after the kick');
    await attacker.endpoint.close();
  }, 60_000);
});
