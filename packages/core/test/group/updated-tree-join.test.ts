// Joining a group whose members have updated: the new leaf is unmerged at the parents an
// updater set, but not at the parents the adder's own path sets afterwards. RFC 9420 12.4.3.1
// asks a joiner to find an unmerged leaf listed on every non-blank node *between* the leaf and
// a parent listing it, not on every ancestor (unpatched ts-mls 1.6.4 refused such Welcomes:
// "non-blank intermediate node must list leaf node in its unmerged_leaves").
import type { RatchetTree } from 'ts-mls';
import { validateRatchetTree } from 'ts-mls/clientState.js';
import { treeHashRoot } from 'ts-mls/treeHash.js';
import { describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import { utf8 } from '../../src/crypto/utf8.ts';
import { ConversationGroup } from '../../src/group/conversation-group.ts';
import { kithClientConfig, loadCiphersuite } from '../../src/group/suite.ts';
import { kithAuthenticationService } from '../../src/identity/credential.ts';
import { Roles } from '../../src/room/roles.ts';
import { withParticipant } from '../../src/room/room-state.ts';
import {
  addProposal,
  createRoom,
  freshKeyPackage,
  join,
  newDevice,
  type TestDevice,
} from './fixtures.ts';

/** `g` receives `commit` as a commit. */
async function apply(g: ConversationGroup, commit: Uint8Array): Promise<void> {
  expect((await g.receive(commit)).kind).toBe('commit');
}

/**
 * Owner A's room, with `size - 1` more members (device i at leaf i); returns A, the devices,
 * and the groups of `leaves` only.
 */
async function roomOf(size: number, leaves: readonly number[]) {
  const owner = await newDevice();
  const A = await createRoom(owner);
  const others: TestDevice[] = [];
  for (let i = 1; i < size; i++) others.push(await newDevice());
  let room = A.room;
  for (const d of others) room = withParticipant(room, d.user.userId, Roles.member);
  const added = await A.commit(
    others.map((d) => addProposal(d.kp.publicPackage)),
    room,
  );
  if (!added.ok) throw new Error(added.refusal.message);
  const groups = new Map<number, ConversationGroup>();
  for (const leaf of leaves) {
    const device = others[leaf - 1];
    if (device === undefined) throw new Error(`no member at leaf ${leaf}`);
    const g = await join(device, added.welcome);
    expect(g.self()?.leafIndex).toBe(leaf);
    groups.set(leaf, g);
  }
  return { A, devices: [owner, ...others], groups: [...groups.values()] };
}

/** `adder` adds fresh devices (a room change, so the commit carries a path); they join. */
async function addAndJoin(adder: ConversationGroup, count: number, rest: ConversationGroup[]) {
  const devices = await Promise.all(Array.from({ length: count }, () => newDevice()));
  let room = adder.room;
  for (const d of devices) room = withParticipant(room, d.user.userId, Roles.member);
  const added = await adder.commit(
    devices.map((d) => addProposal(d.kp.publicPackage)),
    room,
  );
  if (!added.ok) throw new Error(added.refusal.message);
  for (const g of rest) await apply(g, added.commit);
  const joined: ConversationGroup[] = [];
  for (const d of devices) joined.push(await join(d, added.welcome));
  return joined;
}

describe('joining a group whose members sent update commits', () => {
  // About 30 joins and commit applications over a 32-leaf tree: seconds on a busy machine.
  it(
    '30 members, one updater per 8-leaf subtree, then an add with a path: the new members join',
    { timeout: 60_000 },
    async () => {
      // Leaves 5, 13, 21 and 29 update; the owner (leaf 0) then adds leaves 30 and 31.
      const updaters = [5, 13, 21, 29];
      const { A, groups } = await roomOf(30, updaters);
      const everyone = [A, ...groups];
      for (const [i, g] of groups.entries()) {
        const update = await g.commit([]);
        if (!update.ok) throw new Error(update.refusal.message);
        for (const other of everyone) if (other !== g) await apply(other, update.commit);
        expect(everyone.every((o) => bytesEqual(o.head.epochId, g.head.epochId))).toBe(true);
        expect(g.head.epoch).toBe(BigInt(2 + i));
      }
      const [x, y] = await addAndJoin(A, 2, groups);
      if (x === undefined || y === undefined) throw new Error('no joiners');
      // The tree the joiners checked: leaves 30 and 31 unmerged at nodes 55 and 47, which leaf
      // 29 set, and not at the root, which the owner's path set (node 59 stayed blank: leaf 29
      // updated while leaves 30 and 31 were empty).
      const tree = A.head.state.ratchetTree;
      expect(parentAt(tree, 55).unmergedLeaves).toEqual([30, 31]);
      expect(parentAt(tree, 47).unmergedLeaves).toEqual([30, 31]);
      expect(parentAt(tree, 31).unmergedLeaves).toEqual([]);
      expect(tree[59]).toBeUndefined();
      // And they share the epoch: same ID, same members, messages both ways.
      for (const g of [x, y]) expect(bytesEqual(g.head.epochId, A.head.epochId)).toBe(true);
      expect(x.members()).toHaveLength(32);
      const all = [...everyone, x, y];
      const hello = await x.encrypt(utf8('hello from leaf 30'));
      for (const g of all) if (g !== x) expect((await g.receive(hello)).kind).toBe('application');

      // A joiner commits (its path clears its unmerged entries); an updater adds one more,
      // whose Welcome again carries a tree with unmerged leaves.
      const fromX = await x.commit([]);
      if (!fromX.ok) throw new Error(fromX.refusal.message);
      for (const g of all) if (g !== x) await apply(g, fromX.commit);
      const [z] = await addAndJoin(
        groups[1] ?? A,
        1,
        all.filter((g) => g !== groups[1]),
      );
      if (z === undefined) throw new Error('no joiner');
      expect(bytesEqual(z.head.epochId, x.head.epochId)).toBe(true);
      const late = await z.encrypt(utf8('hello from leaf 32'));
      for (const g of all) expect((await g.receive(late)).kind).toBe('application');
    },
  );
});

/** Parent node `index` of `tree`, which must be a parent. */
function parentAt(tree: RatchetTree, index: number) {
  const node = tree[index];
  if (node?.nodeType !== 'parent') throw new Error(`node ${index} is not a parent`);
  return node.parent;
}

/** `tree` with parent node `index`'s unmerged leaves replaced by `leaves`. */
function withUnmerged(tree: RatchetTree, index: number, leaves: number[]): RatchetTree {
  const copy = [...tree];
  copy[index] = {
    nodeType: 'parent',
    parent: { ...parentAt(tree, index), unmergedLeaves: leaves },
  };
  return copy;
}

// Each test builds a 15-member room and commits in it: about a second, more on a busy machine.
describe(
  'the unmerged-leaves rule a joiner checks (RFC 9420 12.4.3.1)',
  { timeout: 30_000 },
  () => {
    /**
     * Fifteen members (leaves 0-14, a 16-leaf tree). The owner (leaf 0) removes leaf 12, which
     * blanks nodes 25, 27 and 23; leaf 14 updates, setting 27 and 23 again; the owner adds a
     * device, which takes leaf 12: unmerged at 27 and 23, not at the root, which the owner's own
     * path sets. Returns the tree the new device joined with, and its validator.
     */
    async function treeWithUnmergedChain() {
      const { A, devices, groups } = await roomOf(15, [12, 14]);
      const [removed, updater] = groups;
      if (removed === undefined || updater === undefined) throw new Error('no members');
      const gone = removed.self();
      if (gone === undefined) throw new Error('no leaf');
      const removal = await A.commit(
        [{ proposalType: 'remove', remove: { removed: gone.leafIndex } }],
        withParticipant(A.room, gone.userId, Roles.none),
      );
      if (!removal.ok) throw new Error(removal.refusal.message);
      await apply(updater, removal.commit);
      const update = await updater.commit([]);
      if (!update.ok) throw new Error(update.refusal.message);
      await apply(A, update.commit);
      const [joiner] = await addAndJoin(A, 1, [updater]);
      expect(joiner?.self()?.leafIndex).toBe(12);
      const { ratchetTree: tree, groupContext } = A.head.state;
      const cs = await loadCiphersuite();
      const auth = kithAuthenticationService();
      const lifetime = kithClientConfig(auth, 16).lifetimeConfig;
      const validate = async (t: RatchetTree) =>
        validateRatchetTree(t, groupContext, lifetime, auth, await treeHashRoot(t, cs.hash), cs);
      return { A, devices, updater, tree, validate };
    }

    it('accepts the honest tree and refuses a leaf missing between, or listed outside its subtree', async () => {
      const { tree, validate } = await treeWithUnmergedChain();
      expect(tree[25]).toBeUndefined();
      expect(parentAt(tree, 27).unmergedLeaves).toEqual([12]);
      expect(parentAt(tree, 23).unmergedLeaves).toEqual([12]);
      expect(parentAt(tree, 15).unmergedLeaves).toEqual([]);
      expect(await validate(tree)).toBeUndefined();

      const refusals = [
        // Node 23 lists leaf 12, but node 27, non-blank and between them, does not.
        [
          withUnmerged(tree, 27, []),
          'non-blank intermediate node must list leaf node in its unmerged_leaves',
        ],
        // Node 27 lists leaf 5: a member, but not under node 27.
        [
          withUnmerged(tree, 27, [12, 5]),
          'Unmerged leaf did not represent a non-blank descendant leaf node',
        ],
        // Node 27 lists leaf 15: under node 27, but blank.
        [
          withUnmerged(tree, 27, [12, 15]),
          'Unmerged leaf did not represent a non-blank descendant leaf node',
        ],
        // Node 23 lists leaf 40, beyond the tree (its direct path would never reach the root).
        [
          withUnmerged(tree, 23, [12, 40]),
          'Unmerged leaf did not represent a non-blank descendant leaf node',
        ],
      ] as const;
      for (const [forged, message] of refusals) {
        expect((await validate(forged))?.message).toBe(message);
      }
    });

    it('a member rejoining by external commit checks the same tree, and every member accepts it', async () => {
      const { A, devices, updater } = await treeWithUnmergedChain();
      const device = devices[3];
      if (device === undefined) throw new Error('no device');
      const fresh = await freshKeyPackage(device);
      const back = await ConversationGroup.rejoin(
        await A.groupInfo(),
        fresh.kp.publicPackage,
        fresh.kp.privatePackage,
        { cs: await loadCiphersuite(), config: kithClientConfig(kithAuthenticationService(), 16) },
      );
      if (typeof back === 'string') throw new Error(back);
      for (const g of [A, updater]) await apply(g, back.commit);
      expect(back.group.self()?.leafIndex).toBe(3);
      expect(bytesEqual(back.group.head.epochId, A.head.epochId)).toBe(true);
      const hello = await back.group.encrypt(utf8('back'));
      expect((await updater.receive(hello)).kind).toBe('application');
    });
  },
);
