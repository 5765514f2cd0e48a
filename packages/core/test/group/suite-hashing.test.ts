import { getCiphersuiteFromName, getCiphersuiteImpl } from 'ts-mls';
import { toHex } from '../../src/crypto/bytes.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { nobleEd25519, useEd25519, type Ed25519Implementation } from '../../src/crypto/ed25519.ts';
import { Roles } from '../../src/room/roles.ts';
import { withParticipant } from '../../src/room/room-state.ts';
import { addProposal, createRoom, join, newDevice } from './fixtures.ts';
import { KITH_CIPHERSUITE, loadCiphersuite } from '../../src/group/suite.ts';
import { withFastHashing } from '../../src/group/suite-hashing.ts';
import { SeededRandom } from '../../src/testing/seeded-random.ts';

const random = new SeededRandom(20);
const hex = toHex;

describe('key derivation and hashing in JavaScript (withFastHashing)', () => {
  it("gives ts-mls's WebCrypto bytes for HKDF, digests and MACs of every size", async () => {
    const webCrypto = await getCiphersuiteImpl(getCiphersuiteFromName(KITH_CIPHERSUITE));
    const fast = withFastHashing(webCrypto);
    for (const size of [0, 1, 31, 32, 64, 100, 8192, 8193, 20_000]) {
      const data = random.bytes(size);
      const key = random.bytes(32);
      expect(hex(await fast.hash.digest(data))).toBe(hex(await webCrypto.hash.digest(data)));
      expect(hex(await fast.hash.mac(key, data))).toBe(hex(await webCrypto.hash.mac(key, data)));
      // An empty salt is HKDF's default salt (32 zero bytes) on both sides.
      const salt = size % 2 === 0 ? new Uint8Array() : random.bytes(32);
      const prk = await fast.kdf.extract(salt, data);
      expect(hex(prk)).toBe(hex(await webCrypto.kdf.extract(salt, data)));
      for (const len of [12, 16, 32, 42]) {
        expect(hex(await fast.kdf.expand(prk, data.subarray(0, 64), len))).toBe(
          hex(await webCrypto.kdf.expand(prk, data.subarray(0, 64), len)),
        );
      }
    }
    expect(fast.kdf.size).toBe(webCrypto.kdf.size);
  });

  it('verifies a MAC only when every byte matches', async () => {
    const cs = await loadCiphersuite();
    const key = random.bytes(32);
    const data = random.bytes(50);
    const mac = await cs.hash.mac(key, data);
    expect(await cs.hash.verifyMac(key, mac, data)).toBe(true);
    for (const i of [0, 17, 31]) {
      const wrong = Uint8Array.from(mac);
      wrong[i] = (wrong[i] ?? 0) ^ 1;
      expect(await cs.hash.verifyMac(key, wrong, data)).toBe(false);
    }
    expect(await cs.hash.verifyMac(key, mac.subarray(0, 31), data)).toBe(false);
    expect(await cs.hash.verifyMac(random.bytes(32), mac, data)).toBe(false);
  });
});

/** Noble's Ed25519 (real verdicts), counting signatures and verifications. */
function counting(webCryptoVerdicts: boolean): Ed25519Implementation & { calls: number } {
  const impl = {
    ...nobleEd25519,
    webCryptoVerdicts,
    calls: 0,
    sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
      impl.calls++;
      return nobleEd25519.sign(message, secretKey);
    },
    verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
      impl.calls++;
      return nobleEd25519.verify(signature, message, publicKey);
    },
  };
  return impl;
}

describe('MLS signatures through the installed Ed25519', () => {
  afterEach(() => {
    useEd25519(undefined);
  });

  async function exchange(): Promise<void> {
    const [a, b] = await Promise.all([newDevice(), newDevice()]);
    const A = await createRoom(a);
    const invited = await A.commit(
      [addProposal(b.kp.publicPackage)],
      withParticipant(A.room, b.user.userId, Roles.member),
    );
    if (!invited.ok) throw new Error(invited.refusal.message);
    const B = await join(b, invited.welcome);
    const outcome = await B.receive(await A.encrypt(Uint8Array.of(1, 2, 3)));
    expect(outcome.kind).toBe('application');
  }

  it('only when it gives WebCrypto verdicts (Node): signing and verifying both go through it', async () => {
    const native = counting(true);
    useEd25519(native);
    await exchange();
    const afterSetup = native.calls;
    expect(afterSetup).toBeGreaterThan(0);
    const other = counting(false);
    useEd25519(other);
    const before = other.calls;
    await exchange();
    // Device certificates still go through it; MLS signatures (commit, Welcome, message) not.
    const mlsFree = other.calls - before;
    useEd25519(native);
    const start = native.calls;
    await exchange();
    expect(native.calls - start).toBeGreaterThan(mlsFree);
  });
});
