import { describe, expect, it } from 'vitest';
import { createDeviceIdentity, createUserIdentity } from '../../src/identity/identities.ts';
import { createDeviceKeyPackage, encodeKeyPackage } from '../../src/group/key-package.ts';
import { kithCapabilities, loadCiphersuite } from '../../src/group/suite.ts';
import { ciphersuiteWithRandom } from '../../src/group/suite-random.ts';
import { ROOM_STATE_EXTENSION_TYPE } from '../../src/room/room-state-codec.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';

const identityRandom = new SeededRandom(1);
const user = createUserIdentity(identityRandom);
const device = createDeviceIdentity(user, identityRandom, 'test', 0);

async function suite(seed: number) {
  return ciphersuiteWithRandom(await loadCiphersuite(), new SeededRandom(seed));
}

describe("ts-mls's randomness through the random port", () => {
  it('one seed gives the same key package, byte for byte; another seed another one', async () => {
    const [a, b, c] = await Promise.all([suite(7), suite(7), suite(8)]);
    const kpA = encodeKeyPackage((await createDeviceKeyPackage(device, a)).publicPackage);
    const kpB = encodeKeyPackage((await createDeviceKeyPackage(device, b)).publicPackage);
    const kpC = encodeKeyPackage((await createDeviceKeyPackage(device, c)).publicPackage);
    expect(kpB).toEqual(kpA);
    expect(kpC).not.toEqual(kpA);
  });

  it('seals with ephemeral keys from the port, and the plain suite opens them', async () => {
    const base = await loadCiphersuite();
    const [a, b] = await Promise.all([suite(9), suite(9)]);
    const recipient = await base.hpke.generateKeyPair();
    const info = new TextEncoder().encode('info');
    const plaintext = new TextEncoder().encode('path secret');
    const sealedA = await a.hpke.seal(recipient.publicKey, plaintext, info);
    const sealedB = await b.hpke.seal(recipient.publicKey, plaintext, info);
    expect(sealedB).toEqual(sealedA);
    const opened = await base.hpke.open(recipient.privateKey, sealedA.enc, sealedA.ct, info);
    expect(opened).toEqual(plaintext);

    const context = new TextEncoder().encode('MLS 1.0 external init secret');
    const exported = await a.hpke.exportSecret(recipient.publicKey, context, 32, new Uint8Array());
    const imported = await base.hpke.importSecret(
      recipient.privateKey,
      context,
      exported.enc,
      32,
      new Uint8Array(),
    );
    expect(imported).toEqual(exported.secret);
  });

  it('draws path secrets and reuse guards from the port', async () => {
    const [a, b] = await Promise.all([suite(11), suite(11)]);
    expect(a.rng.randomBytes(32)).toEqual(b.rng.randomBytes(32));
  });

  it("GREASE comes from the rng it is given, beside Kith's room-state extension", () => {
    const rng = (seed: number) => {
      const r = new SeededRandom(seed);
      return { randomBytes: (n: number) => r.bytes(n) };
    };
    expect(kithCapabilities(rng(3))).toEqual(kithCapabilities(rng(3)));
    expect(kithCapabilities(rng(3)).extensions).toContain(ROOM_STATE_EXTENSION_TYPE);
    const greased = new Set<number>();
    for (let seed = 0; seed < 50; seed++) {
      for (const e of kithCapabilities(rng(seed)).extensions) greased.add(e);
    }
    // Some GREASE values show up over 50 draws (each has a 1 in 10 chance per list).
    expect([...greased].filter((e) => (e & 0x0f0f) === 0x0a0a).length).toBeGreaterThan(0);
  });
});
