import { createCommit, createProposal, decodeMlsMessage, encodeMlsMessage } from 'ts-mls';
import { loadIdentity } from '../client/identity-store.ts';
import { KithClient } from '../client/kith-client.ts';
import { RoomStore } from '../client/room-store.ts';
import { compareBytes, fromHex, toHex } from '../crypto/bytes.ts';
import { ConversationGroup, type GroupOptions } from '../group/conversation-group.ts';
import { commitRank, decodeAad, encodeAad, epochIdOf } from '../group/epoch.ts';
import { createDeviceKeyPackage } from '../group/key-package.ts';
import { kithClientConfig, loadCiphersuite } from '../group/suite.ts';
import { ciphersuiteWithRandom } from '../group/suite-random.ts';
import { kithAuthenticationService } from '../identity/credential.ts';
import type { DeviceId, RoomId } from '../ids.ts';
import type { TransportPort } from '../ports/transport.ts';
import { TransportError } from '../ports/transport-error.ts';
import type { KvDatabase } from '../storage/store.ts';
import { KvStore } from '../storage/store.ts';
import { encodeDirectFrame } from '../sync/frames.ts';
import { roomTopic } from '../sync/topic.ts';
import type { ChaosBehaviour, ChaosContext, ChaosEnd } from './chaos-scenario.ts';
import type { SeededRandom } from './seeded-random.ts';
import { timelineTexts, type SimWorld } from './sim-world.ts';

/** Tries per ground commit: enough to often beat the removal's hash, few enough to stay fast. */
const GRIND_TRIES = 6;
/** The chaos scenario's longest network delay (chaos-scenario.ts). */
const MAX_DELAY_MS = 60;
/** Text of the updates the kept state injects after the removal (never to be shown). */
const KEPT = 'kept-after-removal:';

/** What the removed member kept, and the network access it attacks with. */
interface Kept {
  /** Its client on the state kept from before the removal, deaf to the network. */
  readonly client: KithClient;
  /** The same state's MLS group, for commits its client would not make. */
  readonly group: ConversationGroup;
  /** A second copy, on which it grows a branch of its own. */
  readonly branch: ConversationGroup;
  readonly options: GroupOptions;
  readonly endpoint: TransportPort;
  readonly topic: string;
  readonly groupInfo: Uint8Array;
  /** Epochs it made (hex epoch ID to how): it holds their secrets. */
  readonly made: Map<string, string>;
  /** The application messages others sent on the room's topic: sender, and epoch ID (hex). */
  readonly heard: { readonly from: DeviceId; readonly epochId: string; readonly at: number }[];
  readonly stopHearing: () => void;
  readonly rejoin: () => Promise<{ commit: Uint8Array; epochId: Uint8Array } | string>;
}

/**
 * The removed member of the chaos scenario (`e`) turned attacker, with the mechanisms of
 * packages/core/test/client/fork-attacks.test.ts and the cut tests. While a member it writes
 * now and then and keeps a copy of its storage (what a backup holds). Once `a` has removed
 * it, it opens that copy beside its honest device (which goes on, processes its removal and
 * serves the leak check) on a network endpoint of its own, and at each step may:
 * - publish an empty commit on its kept epoch (the one before its removal), the best of a few
 *   ground tries against the commit `a`'s chain holds there (fork choice: authority first);
 * - send timeline updates through its kept client, which names the kept epoch and encrypts with
 *   the kept keys (cuts and data-plane checks);
 * - rejoin by external commit from a GroupInfo it saved, or offer each member a GroupInfo of a
 *   branch of its own, longer than the room's (branch guard, external-commit checks).
 * `finish` checks that no honest device holds it as a member, none shows what it injected, none
 * follows at the end an epoch it made, and none sent at such an epoch after taking the removal
 * (it holds those epochs' secrets: a branch of its own that a device followed even for a while,
 * before the removal was made again, is a leak).
 */
export function removedMemberAttack(): ChaosBehaviour {
  let snapshot: KvDatabase | undefined;
  let kept: Kept | undefined;
  const injected: string[] = [];
  /** When each device first took e's removal (virtual ms), from its 'membership' events. */
  const sawRemoval = new Map<DeviceId, number>();
  const watched = new WeakSet<KithClient>();
  const actions = { 'ground commits': 0, 'kept-epoch updates': 0, 'rejoin attempts': 0 };
  return {
    name: 'removed member with kept state',
    devices: ['e'],
    actions,
    async act(context: ChaosContext): Promise<void> {
      const { world, roomId, random, step } = context;
      const e = world.client('e');
      for (const c of world.clients()) {
        if (watched.has(c)) continue;
        watched.add(c);
        c.on('membership', (event) => {
          if (!sawRemoval.has(c.deviceId) && event.removed.includes(e.userId)) {
            sawRemoval.set(c.deviceId, world.network.now);
          }
        });
      }
      if (kept === undefined) {
        if (world.client('a').roomState(roomId).participants.has(e.userId)) {
          const member = e.room(roomId).active && e.roomState(roomId).participants.has(e.userId);
          if (!member) return;
          if (random.chance(0.3)) await e.send(roomId, `e-before:${step}`);
          snapshot = await world.copyStorage('e');
          return;
        }
        if (snapshot === undefined) return;
        kept = await takeOver(world, roomId, snapshot, random.fork());
      }
      if (!random.chance(0.6)) return;
      const action = random.int(3);
      if (action === 0) {
        const ground = await grind(kept, await competing(world, roomId, kept.group));
        kept.made.set(toHex(ground.epochId), 'ground commit');
        await publish(kept, ground.commit);
        await skipGeneration(kept);
        actions['ground commits']++;
      } else if (action === 1) {
        const text = `${KEPT}${step}`;
        await kept.client.send(roomId, text);
        injected.push(text);
        actions['kept-epoch updates']++;
      } else {
        await rejoin(world, kept, random);
        actions['rejoin attempts']++;
      }
    },
    async finish(end: ChaosEnd): Promise<string[]> {
      const { world, roomId, honest } = end;
      const found: string[] = [];
      const user = world.client('e').userId;
      for (const name of honest) {
        const c = world.client(name);
        if (c.roomState(roomId).participants.has(user)) found.push(`e is a participant on ${name}`);
        if (c.room(roomId).devices.some((d) => d.userId === user)) {
          found.push(`e's device is in the group on ${name}`);
        }
        const shown = new Set(timelineTexts(c, roomId));
        for (const text of injected) if (shown.has(text)) found.push(`${name} shows ${text}`);
      }
      if (kept !== undefined) {
        const honestDevices = new Set(honest.map((n) => world.client(n).deviceId));
        for (const { from, epochId, at } of kept.heard) {
          const how = kept.made.get(epochId);
          if (how === undefined || !honestDevices.has(from)) continue;
          // A device that had not yet taken the removal may follow e's commit: e could read
          // what it sent then with its kept keys anyway. Sent after it took the removal (the
          // delivery later than the longest delay), it is a leak.
          const seen = sawRemoval.get(from);
          if (seen === undefined || at <= seen + MAX_DELAY_MS) continue;
          found.push(`${from}, after taking the removal, sent at an epoch of e's ${how}`);
        }
        // Followed at the end: an epoch e made on an honest device's chain (even with e
        // removed again on top of it) means fork choice took e's branch.
        for (const name of honest) {
          for (const epochId of await chainOf(world, roomId, name)) {
            const how = kept.made.get(epochId);
            if (how !== undefined) found.push(`${name} follows an epoch of e's ${how}`);
          }
        }
        kept.stopHearing();
        await kept.client.close();
        await kept.endpoint.close();
      }
      return found;
    },
  };
}

async function takeOver(
  world: SimWorld,
  roomId: RoomId,
  db: KvDatabase,
  random: SeededRandom,
): Promise<Kept> {
  const e = world.client('e');
  const groupId = fromHex(roomId) ?? new Uint8Array();
  const options = {
    cs: ciphersuiteWithRandom(await loadCiphersuite(), random),
    config: kithClientConfig(kithAuthenticationService(), 16),
    retainEpochs: 16,
  };
  const kv = await KvStore.open(db);
  const { device } = await loadIdentity(kv, random, world.network.clock, 'e');
  // Two reads, two sets of records: each group advances its own.
  const group = ConversationGroup.restore(
    await new RoomStore(kv, groupId).epochs(options.config),
    options,
  );
  const branch = ConversationGroup.restore(
    await new RoomStore(kv, groupId).epochs(options.config),
    options,
  );
  await kv.close();
  // Its own endpoint (the honest device keeps its own): members cannot tell who relayed a
  // message on a topic, and it takes no input, so it never learns it was removed.
  const endpoint = world.network.endpoint(`${e.deviceId}-kept` as DeviceId);
  const deaf: TransportPort = {
    self: endpoint.self,
    subscribe: (topic) => {
      endpoint.subscribe(topic);
    },
    unsubscribe: (topic) => {
      endpoint.unsubscribe(topic);
    },
    publish: (topic, data, o) => endpoint.publish(topic, data, o),
    sendTo: (to, data) => endpoint.sendTo(to, data),
    onMessage: () => () => undefined,
    onPeer: () => () => undefined,
    close: () => Promise.resolve(),
  };
  const client = await KithClient.open({
    storage: db,
    transport: () => deaf,
    clock: world.network.clock,
    random: random.fork(),
    deviceName: 'e',
    onError: () => undefined,
  });
  const groupInfo = await group.groupInfo();
  const heard: { from: DeviceId; epochId: string; at: number }[] = [];
  // Its raw view of the topic (its client stays deaf): who sent what, at which epoch.
  const stopHearing = world.network.onTrace((event) => {
    if (event.type !== 'deliver' || event.to !== endpoint.self) return;
    if (event.message.kind !== 'topic') return;
    const decoded = decodeMlsMessage(event.message.data, 0)?.[0];
    if (decoded?.wireformat !== 'mls_private_message') return;
    const aad = decodeAad(decoded.privateMessage.authenticatedData);
    if (aad?.kind === 'application')
      heard.push({ from: event.from, epochId: toHex(aad.epochId), at: event.time });
  });
  return {
    made: new Map(),
    heard,
    stopHearing,
    client,
    group,
    branch,
    options,
    endpoint,
    topic: roomTopic(groupId),
    groupInfo,
    rejoin: async () => {
      const kp = await createDeviceKeyPackage(device, options.cs);
      const back = await ConversationGroup.rejoin(
        groupInfo,
        kp.publicPackage,
        kp.privatePackage,
        options,
      );
      return typeof back === 'string'
        ? back
        : { commit: back.commit, epochId: back.group.head.epochId };
    },
  };
}

/** The epoch IDs (hex) of the chain a device follows, as it stored them. */
async function chainOf(world: SimWorld, roomId: RoomId, name: string): Promise<string[]> {
  return (await storedChain(world, roomId, name)).map((r) => toHex(r.epochId));
}

async function storedChain(world: SimWorld, roomId: RoomId, name: string) {
  const db = await world.copyStorage(name);
  const kv = await KvStore.open(db);
  const records = await new RoomStore(kv, fromHex(roomId) ?? new Uint8Array()).epochs(
    kithClientConfig(kithAuthenticationService(), 16),
  );
  await kv.close();
  return records;
}

/** The commit `a`'s chain holds on the attacker's kept epoch (the removal, or one after). */
async function competing(
  world: SimWorld,
  roomId: RoomId,
  group: ConversationGroup,
): Promise<Uint8Array | undefined> {
  const records = await storedChain(world, roomId, 'a');
  return records.find((r) => r.epoch === group.head.epoch + 1n)?.commit;
}

/** An empty commit on the kept epoch; of a few tries, the lowest-ranked (below `target` if one is). */
async function grind(
  kept: Kept,
  target: Uint8Array | undefined,
): Promise<{ commit: Uint8Array; epochId: Uint8Array }> {
  const head = kept.group.head;
  let best: { commit: Uint8Array; epochId: Uint8Array } | undefined;
  const below = (a: Uint8Array, b: Uint8Array): boolean =>
    compareBytes(commitRank(a), commitRank(b)) < 0;
  for (let tries = 0; tries < GRIND_TRIES; tries++) {
    const { commit, newState } = await createCommit(
      { state: head.state, cipherSuite: kept.options.cs },
      { extraProposals: [], authenticatedData: encodeAad('commit', head.epochId) },
    );
    const bytes = encodeMlsMessage(commit);
    if (best === undefined || below(bytes, best.commit)) {
      best = { commit: bytes, epochId: epochIdOf(newState) };
    }
    if (target !== undefined && below(best.commit, target)) break;
  }
  if (best === undefined) throw new Error('no commit ground');
  return best;
}

/**
 * Moves its handshake ratchet on by one (a proposal it never sends), so that its next ground
 * commit is not refused as a replay of a generation members already used: each then meets
 * fork choice.
 */
async function skipGeneration(kept: Kept): Promise<void> {
  const head = kept.group.head;
  const self = kept.group.self();
  if (self === undefined) return;
  const { newState } = await createProposal(
    head.state,
    false,
    { proposalType: 'remove', remove: { removed: self.leafIndex } },
    kept.options.cs,
    encodeAad('proposal', head.epochId),
  );
  head.state = { ...newState, unappliedProposals: {} };
}

async function rejoin(world: SimWorld, kept: Kept, random: SeededRandom): Promise<void> {
  if (random.chance(0.5)) {
    const back = await kept.rejoin();
    if (typeof back === 'string') return;
    kept.made.set(toHex(back.epochId), 'external commit');
    await publish(kept, back.commit);
    return;
  }
  // A branch of its own, one commit longer each time, offered to every member to join.
  const r = await kept.branch.commit([]);
  if (!r.ok) return;
  kept.made.set(toHex(kept.branch.head.epochId), 'own branch');
  const frame = encodeDirectFrame({
    type: 'groupinfo',
    groupId: kept.branch.groupId,
    groupInfo: await kept.branch.groupInfo(),
  });
  for (const name of ['a', 'b', 'c', 'd']) {
    await kept.endpoint.sendTo(world.client(name).deviceId, frame).catch((error: unknown) => {
      // Across a partition: the next try may reach it.
      if (!(error instanceof TransportError)) throw error;
    });
  }
}

async function publish(kept: Kept, bytes: Uint8Array): Promise<void> {
  await kept.endpoint.publish(kept.topic, bytes);
}
