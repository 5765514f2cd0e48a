import { makeKeyPackageRef } from 'ts-mls/keyPackage.js';
import type { CiphersuiteImpl, KeyPackage, PrivateKeyPackage, Welcome } from 'ts-mls';
import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { ShapeReader } from '../cbor/shape.ts';
import { bytesEqual, toHex } from '../crypto/bytes.ts';
import {
  createDeviceKeyPackage,
  decodeKeyPackage,
  encodeKeyPackage,
} from '../group/key-package.ts';
import type { DeviceIdentity } from '../identity/identities.ts';
import { joinKey } from '../storage/keys.ts';
import type { KvStore } from '../storage/store.ts';
import { ClientError } from './errors.ts';

export interface StoredKeyPackage {
  readonly publicPackage: KeyPackage;
  readonly privatePackage: PrivateKeyPackage;
}

const r: ShapeReader = new ShapeReader(
  (path, message) => new ClientError('STORAGE_CORRUPT', `stored key package ${path}: ${message}`),
);

/**
 * This device's key packages: the public halves go to whoever will invite it, the private
 * halves stay here until a Welcome uses them. A used one is kept (marked) rather than deleted,
 * because a commit that lost a fork is committed again with the same key package.
 */
export class KeyPackageStore {
  readonly #kv: KvStore;
  readonly #cs: CiphersuiteImpl;
  readonly #device: DeviceIdentity;

  constructor(kv: KvStore, cs: CiphersuiteImpl, device: DeviceIdentity) {
    this.#kv = kv;
    this.#cs = cs;
    this.#device = device;
  }

  /** A new key package (the wire form), its private half stored before it is handed out. */
  async create(): Promise<Uint8Array> {
    const kp = await createDeviceKeyPackage(this.#device, this.#cs);
    const ref = await makeKeyPackageRef(kp.publicPackage, this.#cs.hash);
    const encoded = encodeKeyPackage(kp.publicPackage);
    const p = kp.privatePackage;
    await this.#kv.put(
      joinKey('kp', toHex(ref)),
      encodeCbor([1, encoded, p.initPrivateKey, p.hpkePrivateKey, p.signaturePrivateKey]),
    );
    return encoded;
  }

  /** The key package a Welcome was made for, if it is one of ours. */
  async forWelcome(welcome: Welcome): Promise<StoredKeyPackage | undefined> {
    for (const secret of welcome.secrets) {
      const bytes = await this.#kv.get(joinKey('kp', toHex(secret.newMember)));
      if (bytes !== undefined) return this.#decode(bytes, secret.newMember);
    }
    return undefined;
  }

  async #decode(bytes: Uint8Array, ref: Uint8Array): Promise<StoredKeyPackage> {
    let value;
    try {
      value = decodeCbor(bytes);
    } catch (cause) {
      throw new ClientError('STORAGE_CORRUPT', 'a stored key package is not CBOR', { cause });
    }
    const a = r.array(value, '', 5);
    const publicPackage = decodeKeyPackage(r.bytes(a[1], 'public'));
    if (publicPackage === undefined) return r.fail('public', 'undecodable');
    const check = await makeKeyPackageRef(publicPackage, this.#cs.hash);
    if (!bytesEqual(check, ref)) r.fail('public', 'stored under the wrong reference');
    return {
      publicPackage,
      privatePackage: {
        initPrivateKey: r.bytes(a[2], 'init'),
        hpkePrivateKey: r.bytes(a[3], 'hpke'),
        signaturePrivateKey: r.bytes(a[4], 'signature'),
      },
    };
  }
}
