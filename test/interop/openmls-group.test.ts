// OpenMLS (core-crypto 9.3.4) creates the group; Kith devices are added from their key
// packages and join from OpenMLS's Welcome. See README.md for what passes and why some of it
// cannot go through ConversationGroup.
import {
  createApplicationMessage,
  emptyPskIndex,
  processPrivateMessage,
  processPublicMessage,
  type ClientState,
} from 'ts-mls';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../packages/core/src/crypto/bytes.ts';
import { utf8 } from '../../packages/core/src/crypto/utf8.ts';
import { ConversationGroup } from '../../packages/core/src/group/conversation-group.ts';
import { decryptApplication } from '../../packages/core/src/group/decrypt-application.ts';
import { encodeAad, epochIdOf } from '../../packages/core/src/group/epoch.ts';
import { memberDevices } from '../../packages/core/src/group/leaves.ts';
import { loadCiphersuite } from '../../packages/core/src/group/suite.ts';
import { encodeDeviceCertificate } from '../../packages/core/src/identity/device-certificate.ts';
import { deviceIdFromPublicKey } from '../../packages/core/src/identity/user-id.ts';
import {
  exporterOf,
  joinWithKithConfig,
  kithOptions,
  newKithDevice,
  openMlsExporter,
  openMlsGroupWith,
  type OpenMlsGroup,
} from './fixtures.ts';
import { closeAllOpenMlsClients, WirePolicy } from './openmls-client.ts';
import { encodePrivateMessage, privateMessageOf, publicMessageOf, welcomeOf } from './wire.ts';

afterAll(closeAllOpenMlsClients);

const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : new TextDecoder().decode(bytes);

/** Processes an OpenMLS commit with ts-mls, in whichever framing the group's policy chose. */
async function applyOpenMlsCommit(state: ClientState, commit: Uint8Array, policy: WirePolicy) {
  const cs = await loadCiphersuite();
  if (policy === WirePolicy.Plaintext) {
    return (await processPublicMessage(state, publicMessageOf(commit), emptyPskIndex, cs)).newState;
  }
  return (await processPrivateMessage(state, privateMessageOf(commit), emptyPskIndex, cs)).newState;
}

describe('OpenMLS creates the group, Kith devices join from its Welcome', () => {
  it('OpenMLS accepts a Kith key package; its Welcome opens under Kith authentication', async () => {
    const alice = await newKithDevice();
    const group = await openMlsGroupWith([alice], WirePolicy.Ciphertext);
    const { openmls, openmlsUser, id } = group;
    // core-crypto's credential identity is our device certificate, for the key it signs with.
    const members = await openmls.members(id);
    expect(members).toHaveLength(2);
    const aliceId = encodeDeviceCertificate(alice.device.certificate);
    expect(members.some((m) => bytesEqual(m, aliceId))).toBe(true);

    // ConversationGroup.join refuses it: core-crypto cannot put Kith's room state
    // (GroupContext extension 0xf0a1) in a group it creates.
    const options = await kithOptions();
    const joined = await ConversationGroup.join(
      welcomeOf(group.welcome),
      alice.kp.publicPackage,
      alice.kp.privatePackage,
      options,
    );
    expect(joined).toBeUndefined();

    const state = await joinWithKithConfig(group.welcome, alice, options);
    expect(state.groupContext.epoch).toBe(await openmls.epoch(id));
    expect(await exporterOf(state)).toBe(await openMlsExporter(group));
    const devices = memberDevices(state);
    expect(devices.map((d) => d.userId).sort()).toEqual(
      [alice.user.userId, openmlsUser.userId].sort(),
    );
    const theirs = devices.find((d) => d.userId === openmlsUser.userId);
    expect(theirs?.publicKey).toEqual(openmls.signatureKey);
    expect(theirs?.deviceId).toBe(deviceIdFromPublicKey(openmls.signatureKey));
  });

  it('Kith authentication does look at the OpenMLS leaf: revoking its device refuses the Welcome', async () => {
    const alice = await newKithDevice();
    const group = await openMlsGroupWith([alice], WirePolicy.Ciphertext);
    const revoked = deviceIdFromPublicKey(group.openmls.signatureKey);
    const options = await kithOptions({ isRevoked: (deviceId) => deviceId === revoked });
    await expect(joinWithKithConfig(group.welcome, alice, options)).rejects.toThrow(
      /Could not validate credential/,
    );
  });

  it('application messages pass both ways', async () => {
    const alice = await newKithDevice();
    const group = await openMlsGroupWith([alice], WirePolicy.Ciphertext);
    const cs = await loadCiphersuite();
    let state = await joinWithKithConfig(group.welcome, alice);

    // OpenMLS to Kith: opened by Kith's decryptApplication, which names the sending device.
    const fromOpenMls = await group.openmls.encrypt(group.id, utf8('hello from OpenMLS'));
    const opened = await decryptApplication(state, privateMessageOf(fromOpenMls), cs);
    state = opened.newState;
    expect(text(opened.plaintext)).toBe('hello from OpenMLS');
    expect(opened.sender?.userId).toBe(group.openmlsUser.userId);
    // The ratchet refuses the same message twice.
    await expect(
      decryptApplication(state, privateMessageOf(fromOpenMls), cs),
    ).rejects.toMatchObject({ name: 'ValidationError', message: 'Desired gen in the past' });

    // Kith to OpenMLS, with Kith's authenticated data.
    const { privateMessage } = await createApplicationMessage(
      state,
      utf8('hello from Kith'),
      cs,
      encodeAad('application', epochIdOf(state)),
    );
    const got = await group.openmls.decrypt(group.id, encodePrivateMessage(privateMessage));
    expect(text(got.message)).toBe('hello from Kith');
    expect(got.senderClientId?.copyBytes()).toEqual(
      encodeDeviceCertificate(alice.device.certificate),
    );
  });

  it.each([
    ['PrivateMessage', WirePolicy.Ciphertext],
    ['PublicMessage', WirePolicy.Plaintext],
  ] as const)(
    'OpenMLS commits as %s (update, add) are applied by ts-mls under Kith config',
    async (_, policy) => {
      const [alice, carol] = await Promise.all([newKithDevice(), newKithDevice()]);
      const group: OpenMlsGroup = await openMlsGroupWith([alice], policy);
      let state = await joinWithKithConfig(group.welcome, alice);

      const update = await group.openmls.update(group.id);
      state = await applyOpenMlsCommit(state, update.commit, policy);
      expect(state.groupContext.epoch).toBe(2n);
      expect(await exporterOf(state)).toBe(await openMlsExporter(group));

      const add = await group.openmls.add(group.id, [carol.bareKeyPackage]);
      state = await applyOpenMlsCommit(state, add.commit, policy);
      const welcome = add.welcome?.copyBytes();
      if (welcome === undefined) throw new Error('no Welcome for the second Kith device');
      const carolState = await joinWithKithConfig(welcome, carol);
      expect(state.groupContext.epoch).toBe(3n);
      expect(await exporterOf(state)).toBe(await openMlsExporter(group));
      expect(await exporterOf(carolState)).toBe(await exporterOf(state));
      expect(memberDevices(carolState)).toHaveLength(3);
    },
  );
});
