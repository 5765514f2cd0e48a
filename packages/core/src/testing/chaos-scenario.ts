import { ClientError, type ClientErrorCode } from '../client/errors.ts';
import type { KithClient } from '../client/kith-client.ts';
import type { RoomId } from '../ids.ts';
import type { SeededRandom } from './seeded-random.ts';
import { SimWorld, timelineTexts, type SimWorldOptions } from './sim-world.ts';

/**
 * The chaos scenario: five devices (a to e) in one room on a faulty network (loss, duplication,
 * reordering, partitions that come and go), two admins (a, b) changing the room at once, and
 * `e` removed along the way; optionally devices restarting from their storage. At the end,
 * with the network healed, it reports what the engine promises:
 * - every honest device holds the same epoch, room name, topic and timeline;
 * - every message of a member who stayed arrived;
 * - the removed member holds no message sent after its sender saw it removed.
 * The chaos test (packages/core/test/client/chaos.test.ts) runs a few seeds; `pnpm soak`
 * (bench/src/soak.ts) runs thousands.
 */

export interface ChaosOptions extends Omit<SimWorldOptions, 'conditions' | 'seed'> {
  /** Steps of chaos before the network heals (40 by default). */
  readonly steps?: number;
  /** Whether a step may close a device and open it again from its storage (off by default). */
  readonly restarts?: boolean;
  /**
   * Attack behaviours mixed into the run (the malicious members of issue 13): each acts at
   * every step, after the honest step, and in the first four rounds after the network heals;
   * the devices it names are left out of the honest checks. None by default.
   */
  readonly behaviours?: readonly ChaosBehaviour[];
  /** Told each step of the run and what devices refused, to follow a failing seed. */
  readonly log?: (line: string) => void;
}

/** What a behaviour may touch at a step. */
export interface ChaosContext {
  readonly world: SimWorld;
  readonly roomId: RoomId;
  readonly step: number;
  /** The scenario's seeded stream: draw from it, never from Math.random. */
  readonly random: SeededRandom;
}

export interface ChaosBehaviour {
  readonly name: string;
  /** The devices (by name: 'c', 'd'...) it controls; they are not honest. */
  readonly devices: readonly string[];
  act(context: ChaosContext): Promise<void>;
  /** What it did, by kind, for the summary of a run. */
  readonly actions?: Readonly<Record<string, number>>;
  /**
   * Its own verdicts at the end of the run, the network healed (empty when its attack
   * failed, as it should); it also releases what it opened.
   */
  finish?(end: ChaosEnd): Promise<readonly string[]>;
}

/** What a behaviour checks at the end. */
export interface ChaosEnd {
  readonly world: SimWorld;
  readonly roomId: RoomId;
  /** The devices that followed the protocol. */
  readonly honest: readonly string[];
}

export interface ChaosReport {
  readonly seed: number;
  /** Every honest device ended on the same epoch, name, topic and timeline. */
  readonly converged: boolean;
  /** The first honest device that differs from `a`, and how (when not converged). */
  readonly divergence: string | undefined;
  /** Messages of members who stayed that some honest device lacks. */
  readonly lost: readonly string[];
  /** Messages sent after the sender saw `e` removed, that `e` holds. */
  readonly leaked: readonly string[];
  /** `e` is still a participant on `a` at the end. */
  readonly removalFailed: boolean;
  /** What the behaviours found wrong at the end (`ChaosBehaviour.finish`). */
  readonly attackFindings: readonly string[];
  /** Errors of room changes other than the refusals the scenario expects (`EXPECTED_REFUSALS`). */
  readonly unexpectedErrors: readonly string[];
  readonly restarts: number;
  /** SHA-256 of every device's database at the end: one seed, one digest. */
  readonly digest: string;
}

/**
 * Refusals an honest step may meet, by action. Profile changes by the two admins: none (both
 * stay admins and in the room). The removal: `e` no longer a member to remove, when a view of
 * `a` still showed it. Anything else is an error of the engine.
 */
const EXPECTED_REFUSALS = {
  profile: new Set<ClientErrorCode>(),
  remove: new Set<ClientErrorCode>(['NOT_A_MEMBER']),
} as const;

interface Sent {
  readonly text: string;
  readonly byVictim: boolean;
  /** Whether the sender's own view had the victim out of the room when it sent. */
  readonly afterRemoval: boolean;
}

const NAMES = ['a', 'b', 'c', 'd', 'e'] as const;

export async function runChaos(seed: number, options: ChaosOptions): Promise<ChaosReport> {
  const world = new SimWorld({
    ...options,
    seed,
    conditions: { minDelayMs: 1, maxDelayMs: 60, reorder: true },
  });
  const log = options.log;
  const watch = (name: string, c: KithClient): void => {
    if (log === undefined) return;
    const at = (): string => `t=${world.network.now % 1_000_000} ${name}`;
    c.on('rejected', (e) => {
      log(`${at()} refused ${e.reason}`);
    });
    c.on('left', () => {
      log(`${at()} left`);
    });
    c.on('membership', (e) => {
      log(`${at()} membership +${e.added.length} -${e.removed.length}`);
    });
  };
  for (const name of NAMES) watch(name, await world.add(name));
  const dev = (name: string): KithClient => world.client(name);
  const unexpected: string[] = [];
  const refusal = (what: keyof typeof EXPECTED_REFUSALS, by: string) => (error: unknown) => {
    if (error instanceof ClientError && EXPECTED_REFUSALS[what].has(error.code)) return;
    const code = error instanceof ClientError ? ` (${error.code})` : '';
    unexpected.push(
      `${what} by ${by}${code}: ${error instanceof Error ? error.message : String(error)}`,
    );
  };

  const roomId = await dev('a').createRoom({ name: 'chaos' });
  const others = NAMES.slice(1).map(dev);
  const kps = await Promise.all(others.map((c) => c.createKeyPackage()));
  await dev('a').invite(roomId, kps);
  await world.settle();
  await dev('a').setRole(roomId, dev('b').userId, 'admin');
  await world.settle();
  world.network.configure({ dropProbability: 0.1, duplicateProbability: 0.05 });

  const victimUser = dev('e').userId;
  const malicious = new Set((options.behaviours ?? []).flatMap((b) => b.devices));
  const sent: Sent[] = [];
  let removed = false;
  let restarts = 0;
  const steps = options.steps ?? 40;
  for (let step = 0; step < steps; step++) {
    const roll = world.random.int(100);
    if (roll < 60) {
      const name = world.random.pick(NAMES);
      const sender = dev(name);
      if (!sender.room(roomId).active || malicious.has(name)) continue;
      const text = `${seed}:${step}`;
      const afterRemoval = !sender.roomState(roomId).participants.has(victimUser);
      log?.(`step ${step}: ${name} sends ${text} at epoch ${sender.room(roomId).epoch}`);
      await sender.send(roomId, text);
      sent.push({ text, afterRemoval, byVictim: name === 'e' });
    } else if (roll < 75) {
      const admin = world.random.pick(['a', 'b']);
      const field = admin === 'a' ? { name: `n${step}` } : { topic: `t${step}` };
      log?.(
        `step ${step}: ${admin} sets ${JSON.stringify(field)} at epoch ${dev(admin).room(roomId).epoch}`,
      );
      await dev(admin).setRoomProfile(roomId, field).catch(refusal('profile', admin));
    } else if (roll < 80 && !removed && step > 10) {
      log?.(`step ${step}: a removes e at epoch ${dev('a').room(roomId).epoch}`);
      await dev('a').remove(roomId, victimUser).catch(refusal('remove', 'a'));
      removed = !dev('a').roomState(roomId).participants.has(victimUser);
    } else if (roll < 88) {
      const ids = world.deviceIds();
      const cut = 1 + world.random.int(ids.length - 1);
      world.network.partition([ids.slice(0, cut), ids.slice(cut)]);
      log?.(`step ${step}: partition after ${cut} devices`);
    } else if (roll < 95) {
      world.network.heal();
      log?.(`step ${step}: heal`);
    } else if (options.restarts === true && roll < 98) {
      const name = world.random.pick(NAMES);
      log?.(`step ${step}: ${name} restarts at epoch ${dev(name).room(roomId).epoch}`);
      watch(name, await world.restart(name));
      log?.(`step ${step}: ${name} reopened at epoch ${dev(name).room(roomId).epoch}`);
      restarts++;
    } else {
      await world.tickAll();
    }
    for (const behaviour of options.behaviours ?? []) {
      await behaviour.act({ world, roomId, step, random: world.random });
    }
    await world.network.advance(world.random.int(100));
    log?.(`epochs: ${NAMES.map((n) => `${n}=${dev(n).room(roomId).epoch}`).join(' ')}`);
  }
  if (!removed) await dev('a').remove(roomId, victimUser).catch(refusal('remove', 'a'));
  world.network.heal();
  world.network.configure({ dropProbability: 0, duplicateProbability: 0 });
  for (let i = 0; i < 12; i++) {
    // Behaviours go on a few rounds once the removal is certain, on a healed network.
    if (i < 4) {
      for (const behaviour of options.behaviours ?? []) {
        await behaviour.act({ world, roomId, step: steps + i, random: world.random });
      }
    }
    await world.tickAll();
  }
  // One more after the removal has settled everywhere, so the leak check is never vacuous.
  await dev('b').send(roomId, `${seed}:last`);
  sent.push({ text: `${seed}:last`, afterRemoval: true, byVictim: false });
  for (let i = 0; i < 3; i++) await world.tickAll();

  if (log !== undefined) {
    for (const name of NAMES) {
      const st = dev(name).syncStatus(roomId);
      log(
        `end ${name}: epoch ${st.epoch} complete ${st.complete} waiting ${st.waitingUpdates} updates, ${st.waitingEpochs} epochs, unsent ${st.unsent}`,
      );
    }
  }
  const honest = NAMES.filter((n) => n !== 'e' && !malicious.has(n));
  const view = (name: string): string => {
    const c = dev(name);
    const r = c.room(roomId);
    return JSON.stringify({
      epoch: String(r.epoch),
      name: r.name,
      topic: r.topic,
      timeline: timelineTexts(c, roomId),
    });
  };
  const reference = view('a');
  const differing = honest.find((n) => view(n) !== reference);
  const lost: string[] = [];
  for (const name of honest) {
    const seen = new Set(timelineTexts(dev(name), roomId));
    // The removed member's last messages may not arrive: what it had not got out when it
    // processed its removal, it can no longer encrypt.
    for (const s of sent) if (!s.byVictim && !seen.has(s.text)) lost.push(`${s.text} on ${name}`);
  }
  const seenByVictim = new Set(timelineTexts(dev('e'), roomId));
  const leaked = sent.filter((s) => s.afterRemoval && seenByVictim.has(s.text)).map((s) => s.text);
  const removalFailed = dev('a').roomState(roomId).participants.has(victimUser);
  const attackFindings: string[] = [];
  for (const behaviour of options.behaviours ?? []) {
    const found = (await behaviour.finish?.({ world, roomId, honest })) ?? [];
    attackFindings.push(...found.map((f) => `${behaviour.name}: ${f}`));
  }
  const divergence =
    differing === undefined ? undefined : `a: ${reference}\n${differing}: ${view(differing)}`;
  await world.closeAll();
  return {
    seed,
    converged: differing === undefined,
    divergence,
    lost,
    leaked,
    removalFailed,
    attackFindings,
    unexpectedErrors: unexpected,
    restarts,
    digest: await world.digest(),
  };
}
