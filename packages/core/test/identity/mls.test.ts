import { describe, expect, it } from 'vitest';
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  defaultCapabilities,
  defaultLifetime,
  emptyPskIndex,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  joinGroup,
  processPrivateMessage,
  type AuthenticationService,
  type CiphersuiteImpl,
  type ClientConfig,
  type Credential,
} from 'ts-mls';
import { defaultClientConfig } from 'ts-mls/clientConfig.js';
import {
  deviceCredential,
  kithAuthenticationService,
  readDeviceCredential,
} from '../../src/identity/credential.ts';
import { issueDeviceCertificate } from '../../src/identity/device-certificate.ts';
import {
  createDeviceIdentity,
  createUserIdentity,
  type DeviceIdentity,
} from '../../src/identity/identities.ts';
import { seededRandom, T0 } from './helpers.ts';

const alice = createUserIdentity(seededRandom(1));
const bob = createUserIdentity(seededRandom(2));
const aliceLaptop = createDeviceIdentity(alice, seededRandom(3), 'Laptop', T0);
const bobPhone = createDeviceIdentity(bob, seededRandom(4), 'Phone', T0);

async function ciphersuite(): Promise<CiphersuiteImpl> {
  return getCiphersuiteImpl(getCiphersuiteFromName('MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519'));
}

function config(authService: AuthenticationService): ClientConfig {
  return { ...defaultClientConfig, authService };
}

async function keyPackage(device: DeviceIdentity, cs: CiphersuiteImpl, credential?: Credential) {
  return generateKeyPackageWithKey(
    credential ?? deviceCredential(device.certificate),
    defaultCapabilities(),
    defaultLifetime,
    [],
    { signKey: device.keyPair.secretKey, publicKey: device.keyPair.publicKey },
    cs,
  );
}

async function aliceGroup(cs: CiphersuiteImpl, authService: AuthenticationService) {
  const kp = await keyPackage(aliceLaptop, cs);
  const groupId = new TextEncoder().encode('identity test group');
  return createGroup(groupId, kp.publicPackage, kp.privatePackage, [], cs, config(authService));
}

describe('device credentials in a ts-mls group', () => {
  it('let a device create a group and add another user’s device, which can read', async () => {
    const cs = await ciphersuite();
    const authService = kithAuthenticationService();
    const aliceState = await aliceGroup(cs, authService);
    const bobKp = await keyPackage(bobPhone, cs);

    const { newState, welcome } = await createCommit(
      { state: aliceState, cipherSuite: cs },
      { extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKp.publicPackage } }] },
    );
    expect(welcome).toBeDefined();
    if (welcome === undefined) return;
    const bobState = await joinGroup(
      welcome,
      bobKp.publicPackage,
      bobKp.privatePackage,
      emptyPskIndex,
      cs,
      newState.ratchetTree,
      undefined,
      config(authService),
    );

    // Bob, had he revoked Alice's laptop, would refuse to join through it.
    const refusing = kithAuthenticationService({ isRevoked: (id) => id === aliceLaptop.deviceId });
    await expect(
      joinGroup(
        welcome,
        bobKp.publicPackage,
        bobKp.privatePackage,
        emptyPskIndex,
        cs,
        newState.ratchetTree,
        undefined,
        config(refusing),
      ),
    ).rejects.toThrow('Could not validate credential');

    // Each side reads the other's user and device from the ratchet tree.
    const leaves = bobState.ratchetTree.flatMap((node) =>
      node?.nodeType === 'leaf' ? [readDeviceCredential(node.leaf.credential)?.deviceId] : [],
    );
    expect(leaves).toEqual([aliceLaptop.deviceId, bobPhone.deviceId]);

    const text = new TextEncoder().encode('hello Bob');
    const sent = await createApplicationMessage(newState, text, cs);
    const received = await processPrivateMessage(bobState, sent.privateMessage, emptyPskIndex, cs);
    expect(received.kind).toBe('applicationMessage');
    if (received.kind === 'applicationMessage') expect(received.message).toEqual(text);
  });

  it('refuse to add a key package whose certificate is for another key', async () => {
    const cs = await ciphersuite();
    const aliceState = await aliceGroup(cs, kithAuthenticationService());
    // Bob's phone signs its key package, but the credential certifies another key.
    const other = createDeviceIdentity(bob, seededRandom(5), 'Tablet', T0);
    const bobKp = await keyPackage(bobPhone, cs, deviceCredential(other.certificate));
    await expect(
      createCommit(
        { state: aliceState, cipherSuite: cs },
        { extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKp.publicPackage } }] },
      ),
    ).rejects.toThrow('Could not validate credential');
  });

  it('refuse to add a revoked device or one certified by a forged user signature', async () => {
    const cs = await ciphersuite();
    const revoking = kithAuthenticationService({ isRevoked: (id) => id === bobPhone.deviceId });
    const aliceState = await aliceGroup(cs, revoking);
    const bobKp = await keyPackage(bobPhone, cs);
    await expect(
      createCommit(
        { state: aliceState, cipherSuite: cs },
        { extraProposals: [{ proposalType: 'add', add: { keyPackage: bobKp.publicPackage } }] },
      ),
    ).rejects.toThrow('Could not validate credential');

    const honest = await aliceGroup(cs, kithAuthenticationService());
    const certificate = issueDeviceCertificate(
      bob.keyPair,
      bobPhone.keyPair.publicKey,
      'Phone',
      T0,
    );
    const forged = { ...certificate, deviceName: 'Phone (renamed)' };
    const forgedKp = await keyPackage(bobPhone, cs, deviceCredential(forged));
    await expect(
      createCommit(
        { state: honest, cipherSuite: cs },
        { extraProposals: [{ proposalType: 'add', add: { keyPackage: forgedKp.publicPackage } }] },
      ),
    ).rejects.toThrow('Could not validate credential');
  });
});
