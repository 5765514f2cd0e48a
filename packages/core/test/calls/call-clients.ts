import { MemoryLevel } from 'memory-level';
import { encodeCallSignal, type CallSignal } from '../../src/calls/call-signal.ts';
import type { CallView } from '../../src/calls/call-types.ts';
import { bytesEqual, fromHex } from '../../src/crypto/bytes.ts';
import type { KithEventOf } from '../../src/client/events.ts';
import type { KithClient } from '../../src/client/kith-client.ts';
import { RoomStore } from '../../src/client/room-store.ts';
import { ConversationGroup } from '../../src/group/conversation-group.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { ciphersuiteWithRandom } from '../../src/group/suite-random.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import type { DeviceId, RoomId } from '../../src/ids.ts';
import { KvStore, type KvDatabase } from '../../src/storage/store.ts';
import { encodeSignalPayload } from '../../src/sync/payload.ts';
import { roomTopic } from '../../src/sync/topic.ts';
import type { World } from '../client/world.ts';

/** A fake SDP naming a DTLS fingerprint of its device, padded to `size` bytes. */
export function fakeSdp(device: DeviceId, role: 'offer' | 'answer', size = 600): string {
  const head = `v=0\r\no=${device} 1 1 IN IP4 127.0.0.1\r\ns=${role}\r\na=fingerprint:sha-256 ${fingerprintOf(device)}\r\n`;
  const pad = 'a=x-pad:' + 'p'.repeat(Math.max(0, size - head.length - 10)) + '\r\n';
  return head + pad;
}

/** A fingerprint made from a device ID: each device "presents" its own. */
export function fingerprintOf(device: DeviceId): string {
  return Array.from({ length: 16 }, (_, i) =>
    device.charCodeAt(i).toString(16).padStart(2, '0'),
  ).join(':');
}

/**
 * A simulated WebRTC layer for one client: it answers `callMedia` steps as a browser would
 * (offers and answers with a fingerprint, media up once an answer is applied) and records the
 * remote SDPs it was given, per peer.
 */
export class FakeMedia {
  readonly remote: { peer: DeviceId; sdp: string }[] = [];
  readonly steps: KithEventOf<'callMedia'>[] = [];
  readonly views: CallView[] = [];
  sdpSize = 600;
  readonly client: KithClient;

  constructor(client: KithClient) {
    this.client = client;
    client.on('call', (e) => this.views.push(e.view));
    client.on('callMedia', (e) => {
      this.steps.push(e);
      void this.#step(e);
    });
  }

  /** The last view of a call this client reported. */
  last(callId: Uint8Array): CallView | undefined {
    return this.views.filter((v) => bytesEqual(v.callId, callId)).at(-1);
  }

  /** Whether this client ever rang for a call. */
  rang(callId: Uint8Array): boolean {
    return this.views.some((v) => bytesEqual(v.callId, callId) && v.phase === 'incoming');
  }

  async #step(e: KithEventOf<'callMedia'>): Promise<void> {
    const calls = this.client.calls;
    const self = this.client.deviceId;
    switch (e.step.action) {
      case 'create-offer':
        await calls.localDescription(e.callId, e.peer, fakeSdp(self, 'offer', this.sdpSize));
        return;
      case 'accept-offer':
        this.remote.push({ peer: e.peer, sdp: e.step.sdp });
        await calls.localDescription(e.callId, e.peer, fakeSdp(self, 'answer', this.sdpSize));
        await calls.mediaState(e.callId, e.peer, true);
        return;
      case 'apply-answer':
        this.remote.push({ peer: e.peer, sdp: e.step.sdp });
        await calls.mediaState(e.callId, e.peer, true);
        return;
      default:
        return;
    }
  }
}

/** A database to open a client on, kept by the test (to take the device over later). */
export function memoryDb(): KvDatabase {
  return new MemoryLevel<string, Uint8Array>(KvStore.databaseOptions);
}

/**
 * A member bypassing its own client: the client is closed, and its stored MLS state (exactly
 * what its device holds) encrypts any call signal the attacker writes, sent from an endpoint
 * of its own on the room's topic. Receivers see a message the member's device authenticated.
 */
export async function takeOver(
  world: World,
  client: KithClient,
  db: KvDatabase,
  roomId: RoomId,
): Promise<(signal: CallSignal) => Promise<void>> {
  const deviceId = client.deviceId;
  await client.close();
  world.clients.splice(world.clients.indexOf(client), 1);
  const groupId = fromHex(roomId) ?? new Uint8Array();
  const options = {
    cs: ciphersuiteWithRandom(await loadCiphersuite(), world.random.fork()),
    config: kithClientConfig(kithAuthenticationService(), 16),
    retainEpochs: 16,
  };
  const kv = await KvStore.open(db);
  const group = ConversationGroup.restore(
    await new RoomStore(kv, groupId).epochs(options.config),
    options,
  );
  await kv.close();
  const topic = roomTopic(groupId);
  const endpoint = world.network.endpoint(`${deviceId}-forger` as DeviceId);
  endpoint.subscribe(topic);
  return async (signal) => {
    const payload = encodeSignalPayload(encodeCallSignal(signal));
    await endpoint.publish(topic, await group.encrypt(payload), { ephemeral: true });
  };
}
