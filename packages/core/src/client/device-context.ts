import { isCallSignal } from '../calls/call-signal.ts';
import { kithClientConfig, loadCiphersuite } from '../group/suite.ts';
import { ciphersuiteWithRandom } from '../group/suite-random.ts';
import { kithAuthenticationService } from '../identity/credential.ts';
import type { DeviceIdentity, UserIdentity } from '../identity/identities.ts';
import type { DeviceId, RoomId, UserId } from '../ids.ts';
import { systemClock } from '../ports/clock.ts';
import { webRandom, type RandomPort } from '../ports/random.ts';
import type { TransportPort } from '../ports/transport.ts';
import type { DeviceProfile } from '../people/profile.ts';
import { KvStore } from '../storage/store.ts';
import type { KithClientOptions } from './client-options.ts';
import { ClientError } from './errors.ts';
import { DeviceLists, DEVICES_META_KEY } from './device-lists.ts';
import { Emitter } from './events.ts';
import { loadIdentity } from './identity-store.ts';
import { KeyPackageStore } from './key-package-store.ts';
import { loadOwnProfile, mentionEvents } from './people.ts';
import type { RoomSession, SessionEnv } from './room-session.ts';
import { RoomStore } from './room-store.ts';
import { CallEngine } from './call-engine.ts';
import { SafetySettings } from './safety-settings.ts';
import { visibleEvent } from './safety-policy.ts';
import { openSession } from './session-loader.ts';
import { checkStorageLayout } from './storage-layout.ts';
import { SignalEngine } from './signal-engine.ts';

/**
 * One open device: its identity, its ports, its rooms and its settings. KithClient owns it and
 * runs every input against it one at a time; the modules beside KithClient (client-*.ts) do
 * their part of that work on it.
 */
export interface DeviceContext {
  readonly kv: KvStore;
  readonly transport: TransportPort;
  readonly random: RandomPort;
  readonly user: UserIdentity | undefined;
  readonly device: DeviceIdentity;
  readonly keyPackages: KeyPackageStore;
  readonly env: SessionEnv;
  readonly emitter: Emitter;
  readonly onError: (error: unknown) => void;
  readonly sessions: Map<RoomId, RoomSession>;
  readonly byTopic: Map<string, RoomSession>;
  readonly reachable: Set<DeviceId>;
  /** Undoes the transport subscriptions (on close, or when storage fails). */
  readonly unsubscribe: (() => void)[];
  readonly safety: SafetySettings;
  readonly isContact: (user: UserId) => boolean;
  /** Rooms whose invitation was refused this run, so a resent Welcome is reported once. */
  readonly refusedInvites: Set<string>;
  relays: readonly string[];
  /** The profile this device publishes in every room it is in (see setProfile). */
  profile: DeviceProfile | undefined;
  /** Receipts, typing and presence. */
  readonly signals: SignalEngine;
  /** Calls: their signalling over the rooms' ephemeral plane. */
  readonly calls: CallEngine;
  /** Every known user's signed device list, and who revoked which device. */
  readonly deviceLists: DeviceLists;
}

/**
 * Opens the device in `options.storage`, creating its identity on first use, and loads its
 * settings and rooms. Nothing listens to the transport yet (see client-inbound.ts).
 */
export async function openDevice(options: KithClientOptions): Promise<DeviceContext> {
  const kv = await KvStore.open(options.storage);
  await checkStorageLayout(kv).catch(async (error: unknown) => {
    await kv.close();
    throw error;
  });
  const clock = options.clock ?? systemClock;
  const random = options.random ?? webRandom;
  const identity = await loadIdentity(
    kv,
    random,
    clock,
    options.deviceName ?? 'device',
    options.linkedDevice,
    options.restoredUserKey,
  );
  // ts-mls's random draws come from the device's port too (a seeded device replays exactly).
  const cs = ciphersuiteWithRandom(await loadCiphersuite(), random);
  const retain = options.retainEpochs ?? 16;
  const onError = options.onError ?? (() => undefined);
  const emitter = new Emitter(onError);
  const deviceLists = await DeviceLists.load(kv, (e) => {
    emitter.emit(e);
  });
  const handed = options.linkedDevice?.deviceList;
  if (handed !== undefined) await deviceLists.offerEncoded(handed, identity.device.userId);
  await deviceLists.ensureOwn(identity.user, identity.device);
  // A device any list of its user revoked is refused as a leaf: it cannot be added or rejoin.
  const config = kithClientConfig(
    kithAuthenticationService({ isRevoked: (device, user) => deviceLists.isRevoked(device, user) }),
    retain,
  );
  const transport = await options.transport(identity.device);
  const groupOptions = {
    cs,
    config,
    retainEpochs: retain,
    ...(options.rotateAfterMessages === undefined
      ? {}
      : { rotateAfterMessages: options.rotateAfterMessages }),
  };
  const keyPackages = new KeyPackageStore(kv, cs, identity.device);
  const safety = await SafetySettings.load(kv);
  const userId = identity.device.userId;
  // The callbacks below run only once the device is open, when `d` is set.
  const d: DeviceContext = {
    kv,
    transport,
    random,
    user: identity.user,
    device: identity.device,
    keyPackages,
    env: {
      device: identity.device,
      groupOptions,
      clock,
      kv,
      transport,
      emit: (e) => {
        // Blocked users' messages are kept but not shown (docs/ARCHITECTURE.md, personal safety).
        const shown = visibleEvent(e, (u) => safety.isBlocked(u));
        if (shown !== undefined) emitter.emit(shown);
        if (shown !== undefined) {
          for (const m of mentionEvents(shown, userId)) emitter.emit(m);
        }
      },
      signal: (session, sender, signal) => {
        if (isCallSignal(signal)) d.calls.receive(session, sender, signal);
        else d.signals.receive(session, sender, signal);
      },
    },
    emitter,
    onError,
    sessions: new Map(),
    byTopic: new Map(),
    reachable: new Set(),
    unsubscribe: [],
    safety,
    isContact: options.isContact ?? (() => false),
    refusedInvites: new Set(),
    relays: [],
    profile: await loadOwnProfile(kv),
    signals: await SignalEngine.load({
      userId,
      deviceId: identity.device.deviceId,
      clock,
      kv,
      emit: (e) => {
        d.env.emit(e);
      },
      hidden: (u) => safety.isBlocked(u),
      anyoneThere: (s) => s.members().some((m) => d.reachable.has(m.deviceId)),
    }),
    calls: new CallEngine({
      self: { device: identity.device.deviceId, user: userId },
      clock,
      random,
      emit: (e) => {
        d.env.emit(e);
      },
      hidden: (u) => safety.isBlocked(u),
      session: (roomId) => d.sessions.get(roomId),
      sessions: () => d.sessions.values(),
    }),
    deviceLists,
  };
  emitter.on('meta', (e) => {
    d.signals.noteMeta(e);
    const session = d.sessions.get(e.roomId);
    if (session !== undefined && e.keys.includes(DEVICES_META_KEY)) {
      d.deviceLists.fromRoom(session, e.device).catch(onError);
    }
  });
  emitter.on('timeline', (e) => {
    d.signals.noteTimeline(e);
  });
  for (const type of ['membership', 'left', 'joined'] as const) {
    emitter.on(type, () => {
      d.calls.membersChanged();
    });
  }
  for await (const id of RoomStore.roomIds(kv)) {
    const session = await openSession(d.env, id);
    if (session !== undefined) addSession(d, session);
  }
  return d;
}

export function sessionOf(d: DeviceContext, roomId: RoomId): RoomSession {
  const s = d.sessions.get(roomId);
  if (s === undefined) throw new ClientError('UNKNOWN_ROOM', `no room ${roomId} on this device`);
  return s;
}

export function addSession(d: DeviceContext, session: RoomSession): void {
  d.sessions.set(session.roomId, session);
  d.byTopic.set(session.topic, session);
  d.transport.subscribe(session.topic);
}
