import { RelayProcess } from '@kith/relay/process';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import { Daemon } from '../../src/demo/daemon-process.ts';

/**
 * The cast of the end-to-end daemon tests: a relay, a daemon per name on it, and who each is.
 * The tests keep the daemons in their own variables (a restart replaces one), so teardown takes
 * the daemons the test holds at the end rather than those started here.
 */
export interface Cast<Names extends readonly string[]> {
  readonly relay: RelayProcess;
  readonly daemons: { -readonly [K in keyof Names]: Daemon };
  /** Each daemon's `whoami`, by name. */
  readonly me: Record<string, Whoami>;
}

/** Starts a relay, then a daemon per name on it (at once), and asks each who it is. */
export async function startDaemons<const Names extends readonly string[]>(
  names: Names,
): Promise<Cast<Names>> {
  const relay = await RelayProcess.start();
  const relays = [relay.tcpAddress];
  const started = await Promise.allSettled(
    names.map((name) => Daemon.start(name, undefined, relays)),
  );
  const daemons = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    // What did start is stopped here: the test never gets hold of it.
    await removeAll(relay, daemons);
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  const me: Record<string, Whoami> = {};
  for (const d of daemons) me[d.name] = await d.call<Whoami>('whoami');
  // One daemon per name, in order: the tuple type `names` promises.
  return { relay, daemons: daemons as { -readonly [K in keyof Names]: Daemon }, me };
}

/** Stops and deletes the daemons, then the relay. */
export async function removeAll(relay: RelayProcess, daemons: readonly Daemon[]): Promise<void> {
  await Promise.all(daemons.map((d) => d.remove()));
  await relay.remove();
}

/** A star of contacts: `hub` and each of `others` add each other; the others stay strangers. */
export async function exchangeContacts(
  me: Record<string, Whoami>,
  hub: Daemon,
  others: readonly Daemon[],
): Promise<void> {
  for (const d of others) {
    await hub.call('addContact', { link: me[d.name]?.contactLink });
    await d.call('addContact', { link: me[hub.name]?.contactLink });
  }
}

/** `owner` creates a group room with `members`; resolves with its ID once each has joined. */
export async function createRoomWith(
  me: Record<string, Whoami>,
  owner: Daemon,
  name: string,
  members: readonly Daemon[],
): Promise<string> {
  const { roomId } = await owner.call<{ roomId: string }>('createRoom', {
    name,
    members: members.map((d) => me[d.name]?.userId),
  });
  for (const d of members) {
    await d.until('joining', async () => (await roomOf(d, roomId)) !== undefined);
  }
  return roomId;
}

export async function roomOf(d: Daemon, roomId: string): Promise<RoomView | undefined> {
  return (await d.call<RoomView[]>('rooms')).find((r) => r.roomId === roomId);
}

/** The room's messages as `d` shows them (which marks them read, unless `extra` says not to). */
export function messagesOf(d: Daemon, roomId: string, extra: object = {}): Promise<MessageView[]> {
  return d.call<MessageView[]>('messages', { roomId, ...extra });
}

export async function textsOf(d: Daemon, roomId: string): Promise<string[]> {
  return (await messagesOf(d, roomId)).map((m) => m.text);
}

/**
 * `from` sends `text` in its DM with `to` (started if there is none) and resolves once `to`
 * shows it. An absence check waits for this first: whatever `from` sent earlier, to any room,
 * had at least as long to arrive.
 */
export async function laterMessage(
  me: Record<string, Whoami>,
  from: Daemon,
  to: Daemon,
  text: string,
): Promise<void> {
  const { roomId } = await from.call<{ roomId: string }>('createRoom', {
    dm: true,
    members: [me[to.name]?.userId],
  });
  await from.call('send', { roomId, text });
  await to.until(`“${text}” in the DM`, async () =>
    (await roomOf(to, roomId)) === undefined ? false : (await textsOf(to, roomId)).includes(text),
  );
}
