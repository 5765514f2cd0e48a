import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/crypto/bytes.ts';
import type { TimelineChange } from '../../src/timeline/timeline-message.ts';
import { FakeControlPlane, Member, must, project, textOf } from './helpers.ts';

/**
 * Alice followed a branch of a fork on which Eve stayed a member up to epoch 7; Bob followed
 * only the winner, on which Eve was removed at epoch 3. Each member's control plane is its own.
 */
function fork() {
  const loser = new FakeControlPlane();
  const winner = new FakeControlPlane();
  const alice = new Member('alice', loser);
  const bob = new Member('bob', winner);
  const eve = new Member('eve', loser);
  winner.addDevice(alice.key.publicKey, alice.user);
  winner.addDevice(eve.key.publicKey, eve.user);
  loser.addDevice(bob.key.publicKey, bob.user);
  loser.epoch = 2n;
  const early = eve.text('early').update;
  loser.epoch = 7n;
  const late = eve.text('late').update;
  const later = eve.text('later').update;
  winner.removeDevice(eve.key.publicKey, 3n);
  winner.epoch = 7n;
  return { loser, winner, alice, bob, eve, early, late, later };
}

/** The lost branch's epochs from 3 on now mean the winner's: Eve removed at 3. */
function switchToWinner(loser: FakeControlPlane, eve: Member): void {
  loser.removeDevice(eve.key.publicKey, 3n);
}

describe('judging again after a fork switch', () => {
  it('withdraws what the losing branch let in: the member ends as one that saw only the winner', () => {
    const { loser, alice, bob, eve, early, late, later } = fork();
    for (const u of [early, late, later]) {
      expect(alice.doc.receive(u).verdict).toBe('accepted');
    }
    expect(bob.doc.receive(early).verdict).toBe('accepted');
    expect(bob.doc.receive(late).verdict).toBe('rejected');
    expect(alice.doc.timeline().map(textOf)).toEqual(['early', 'late', 'later']);
    expect(bob.doc.timeline().map(textOf)).toEqual(['early']);

    const changes: TimelineChange[] = [];
    alice.doc.onChange((c) => changes.push(...c));
    switchToWinner(loser, eve);
    expect(alice.doc.reconsider(3n)).toBe(2);

    expect(project(alice.doc.timeline())).toEqual(project(bob.doc.timeline()));
    expect(changes.map((c) => c.type)).toEqual(['removed', 'removed']);
    const eveHex = toHex(eve.key.publicKey);
    expect(alice.doc.stateVector().get(eveHex)?.seq).toBe(bob.doc.stateVector().get(eveHex)?.seq);
    // Eve's later updates are refused by both now, in any order.
    expect(alice.doc.receive(later).verdict).not.toBe('accepted');
    expect(alice.doc.timeline().map(textOf)).toEqual(['early']);
  });

  it("keeps the member's own chain whole: what it writes next is accepted by the others", () => {
    const { loser, alice, bob, eve, early, late } = fork();
    alice.doc.receive(early);
    alice.doc.receive(late);
    bob.doc.receive(early);
    const before = alice.text('mine on the lost branch').update;
    switchToWinner(loser, eve);
    expect(alice.doc.reconsider(3n)).toBe(1);
    const after = alice.text('mine after the switch').update;
    expect(after.seq).toBe(before.seq + 1);
    for (const u of alice.sent) expect(bob.doc.receive(u).verdict).toBe('accepted');
    expect(project(alice.doc.timeline())).toEqual(project(bob.doc.timeline()));
    expect(alice.doc.timeline().map(textOf)).toEqual([
      'early',
      'mine on the lost branch',
      'mine after the switch',
    ]);
  });

  it('holds what names an epoch the winner has not reached, and takes it once it does', () => {
    const loser = new FakeControlPlane();
    const alice = new Member('alice', loser);
    const carol = new Member('carol', loser);
    loser.epoch = 7n;
    const ahead = carol.text('written at 7').update;
    expect(alice.doc.receive(ahead).verdict).toBe('accepted');
    const own = alice.text('mine at 7').update;
    // The winner is at epoch 4 so far: carol's update waits, as on a member that only saw it;
    // alice's own stays in her chain, and her next update follows it.
    loser.knownUpTo = 4n;
    loser.epoch = 4n;
    expect(alice.doc.reconsider(5n)).toBe(1);
    expect(alice.doc.timeline().map(textOf)).toEqual(['mine at 7']);
    expect(alice.doc.pendingCount).toBe(1);
    expect(alice.text('mine at 4').update.seq).toBe(own.seq + 1);
    loser.knownUpTo = undefined;
    alice.doc.retryPending();
    expect(alice.doc.timeline().map(textOf)).toEqual(['written at 7', 'mine at 7', 'mine at 4']);
  });

  it('changes nothing when no accepted update depends on the lost epochs', () => {
    const { alice, eve, early } = fork();
    alice.doc.receive(early);
    const changes: TimelineChange[] = [];
    alice.doc.onChange((c) => changes.push(...c));
    const timeline = alice.doc.timeline();
    expect(alice.doc.reconsider(3n)).toBe(0);
    expect(alice.doc.timeline()).toBe(timeline);
    expect(changes).toEqual([]);
    expect(must(alice.doc.stateVector().get(toHex(eve.key.publicKey))).seq).toBe(0);
  });
});
