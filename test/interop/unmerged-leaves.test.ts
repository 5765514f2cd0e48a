// A tree with unmerged leaves at more than one level, below a parent that does not list them:
// the tree a Welcome carries after a member updated and another added devices with a path.
// Kith's ts-mls patch accepts it (RFC 9420 12.4.3.1); OpenMLS must accept the same tree.
import {
  createCommit,
  createGroup,
  emptyPskIndex,
  encodeMlsMessage,
  processPrivateMessage,
  type ClientState,
  type Proposal,
} from 'ts-mls';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeAad, epochIdOf } from '../../packages/core/src/group/epoch.ts';
import { loadCiphersuite } from '../../packages/core/src/group/suite.ts';
import { webRandom } from '../../packages/core/src/ports/random.ts';
import {
  exporterOf,
  joinWithKithConfig,
  kithOptions,
  newKithDevice,
  newOpenMlsDevice,
  openMlsExporter,
  openMlsKeyPackage,
  type KithDevice,
} from './fixtures.ts';
import { closeAllOpenMlsClients, WirePolicy } from './openmls-client.ts';
import { encodeWelcome, privateMessageOf } from './wire.ts';

afterAll(closeAllOpenMlsClients);

/** A commit as ConversationGroup.commit builds one (PrivateMessage, tree in the Welcome). */
async function commit(state: ClientState, proposals: Proposal[] = []) {
  const { cs } = await kithOptions();
  const result = await createCommit(
    { state, cipherSuite: cs },
    {
      extraProposals: proposals,
      authenticatedData: encodeAad('commit', epochIdOf(state)),
      ratchetTreeExtension: true,
    },
  );
  return {
    state: result.newState,
    commit: encodeMlsMessage(result.commit),
    welcome: result.welcome === undefined ? undefined : encodeWelcome(result.welcome),
  };
}

async function apply(state: ClientState, commitBytes: Uint8Array): Promise<ClientState> {
  const cs = await loadCiphersuite();
  const { newState } = await processPrivateMessage(
    state,
    privateMessageOf(commitBytes),
    emptyPskIndex,
    cs,
  );
  return newState;
}

function unmergedAt(state: ClientState, node: number): number[] {
  const n = state.ratchetTree[node];
  if (n?.nodeType !== 'parent') throw new Error(`node ${node} is not a parent`);
  return [...n.parent.unmergedLeaves];
}

describe('OpenMLS and Kith on a tree with unmerged leaves', () => {
  it('both join from one Welcome, then apply each other’s commits', async () => {
    const { cs, config } = await kithOptions();
    const devices: KithDevice[] = [];
    for (let i = 0; i < 15; i++) devices.push(await newKithDevice());
    const [owner, leaving, updater] = [devices[0], devices[12], devices[14]];
    if (owner === undefined || leaving === undefined || updater === undefined) {
      throw new Error('no devices');
    }
    // Leaves 0-14 of a 16-leaf tree: the owner adds 14 devices (without a path).
    let o = await createGroup(
      webRandom.bytes(32),
      owner.kp.publicPackage,
      owner.kp.privatePackage,
      [],
      cs,
      config,
    );
    const added = await commit(
      o,
      devices
        .slice(1)
        .map((d) => ({ proposalType: 'add', add: { keyPackage: d.kp.publicPackage } })),
    );
    o = added.state;
    if (added.welcome === undefined) throw new Error('no Welcome');
    let u = await joinWithKithConfig(added.welcome, updater);
    // The owner removes leaf 12 (blanking nodes 25, 27, 23); leaf 14 updates (setting 27 and
    // 23 again, since leaf 13 is still there).
    const removal = await commit(o, [{ proposalType: 'remove', remove: { removed: 12 } }]);
    o = removal.state;
    u = await apply(u, removal.commit);
    const update = await commit(u);
    u = update.state;
    o = await apply(o, update.commit);

    // The owner adds a Kith device (to leaf 12) and an OpenMLS one (to leaf 15). A
    // GroupContextExtensions proposal makes the commit carry a path, as every Kith add does;
    // the path sets the root again, so the new leaves are unmerged at 27 and 23 only.
    const newcomer = await newKithDevice();
    const { client: openmls } = await newOpenMlsDevice();
    const adding = await commit(o, [
      { proposalType: 'add', add: { keyPackage: newcomer.kp.publicPackage } },
      { proposalType: 'add', add: { keyPackage: await openMlsKeyPackage(openmls) } },
      { proposalType: 'group_context_extensions', groupContextExtensions: { extensions: [] } },
    ]);
    o = adding.state;
    u = await apply(u, adding.commit);
    expect(unmergedAt(o, 27)).toEqual([12, 15]);
    expect(unmergedAt(o, 23)).toEqual([12, 15]);
    expect(unmergedAt(o, 15)).toEqual([]);
    if (adding.welcome === undefined) throw new Error('no Welcome');

    // Both implementations check that tree and join.
    let n = await joinWithKithConfig(adding.welcome, newcomer);
    const id = await openmls.join(adding.welcome, WirePolicy.Ciphertext);
    const group = { openmls, id };
    expect(await openmls.epoch(id)).toBe(4n);
    expect(await openmls.members(id)).toHaveLength(16);
    const exporter = await exporterOf(o);
    for (const s of [u, n]) expect(await exporterOf(s)).toBe(exporter);
    expect(await openMlsExporter(group)).toBe(exporter);

    // The owner's next commit encrypts to the resolution of node 23: its key and the unmerged
    // leaves 12 and 15. OpenMLS and the Kith newcomer decrypt it.
    const next = await commit(o);
    o = next.state;
    u = await apply(u, next.commit);
    n = await apply(n, next.commit);
    expect((await openmls.decrypt(id, next.commit)).hasEpochChanged).toBe(true);
    expect(await openMlsExporter(group)).toBe(await exporterOf(o));

    // OpenMLS commits (an update); every Kith device applies it.
    const fromOpenMls = await openmls.update(id);
    o = await apply(o, fromOpenMls.commit);
    u = await apply(u, fromOpenMls.commit);
    n = await apply(n, fromOpenMls.commit);
    const last = await openMlsExporter(group);
    for (const s of [o, u, n]) expect(await exporterOf(s)).toBe(last);
  });
});
