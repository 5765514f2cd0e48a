import {
  joinKey,
  keyPackageOwner,
  keyPrefix,
  parseSeqKey,
  seqKey,
  splitKey,
  KeyPackageLimits,
  type DeviceId,
  type KeyPackageRequest,
  type KeyPackageResponse,
  type KvOperation,
  type KvStore,
  type UserId,
} from '@kith/core';

/**
 * Key packages kept for offline users (docs/PROTOCOL.md §12.3). Layout: `kp/<userId>/<deviceId>/
 * <seq>` holds a package; `kpdevice/<deviceId>` the device's user and next sequence number.
 * A device uploads only packages whose leaf is itself (checked against the connection's peer).
 */
export class KeyPackageDirectory {
  readonly #kv: KvStore;

  constructor(kv: KvStore) {
    this.#kv = kv;
  }

  async handle(request: KeyPackageRequest, device: DeviceId): Promise<KeyPackageResponse> {
    switch (request.type) {
      case 'upload':
        return this.#upload(request.keyPackages, device);
      case 'count': {
        const user = (await this.#deviceMeta(device))?.user;
        return { type: 'count', count: user === undefined ? 0 : await this.#count(user, device) };
      }
      case 'take':
        return { type: 'packages', keyPackages: await this.#take(request.userId) };
    }
  }

  async #upload(packages: readonly Uint8Array[], device: DeviceId): Promise<KeyPackageResponse> {
    let user: UserId | undefined;
    for (const kp of packages) {
      if (kp.length > KeyPackageLimits.maxPackageBytes) {
        return { type: 'refused', message: 'a key package is too large' };
      }
      const owner = keyPackageOwner(kp);
      if (owner?.deviceId !== device) {
        return { type: 'refused', message: 'a device may upload only its own key packages' };
      }
      user = owner.userId;
    }
    if (user === undefined) return { type: 'count', count: 0 };
    const meta = (await this.#deviceMeta(device)) ?? { user, next: 0 };
    const count = await this.#count(user, device);
    if (count + packages.length > KeyPackageLimits.maxPerDevice) {
      return {
        type: 'refused',
        message: `at most ${KeyPackageLimits.maxPerDevice} key packages per device`,
      };
    }
    const ops: KvOperation[] = packages.map((kp, i) => ({
      type: 'put',
      key: joinKey('kp', user, device, seqKey(meta.next + i)),
      value: kp,
    }));
    ops.push({
      type: 'put',
      key: joinKey('kpdevice', device),
      value: new TextEncoder().encode(JSON.stringify({ user, next: meta.next + packages.length })),
    });
    await this.#kv.batch(ops);
    return { type: 'count', count: count + packages.length };
  }

  /** One package per device of `user`; a device's last one stays (its last resort). */
  async #take(user: UserId): Promise<Uint8Array[]> {
    const byDevice = new Map<string, { key: string; value: Uint8Array }[]>();
    for await (const [key, value] of this.#kv.entries({ prefix: keyPrefix('kp', user) })) {
      const device = splitKey(key)[2] ?? '';
      const list = byDevice.get(device) ?? [];
      // Two are enough to know whether the first may be taken.
      if (list.length < 2) list.push({ key, value });
      byDevice.set(device, list);
      if (byDevice.size > KeyPackageLimits.maxDevicesPerUser) break;
    }
    const out: Uint8Array[] = [];
    const ops: KvOperation[] = [];
    for (const list of byDevice.values()) {
      const first = list[0];
      if (first === undefined) continue;
      out.push(first.value);
      if (list.length > 1) ops.push({ type: 'del', key: first.key });
    }
    if (ops.length > 0) await this.#kv.batch(ops);
    return out.slice(0, KeyPackageLimits.maxDevicesPerUser);
  }

  async #count(user: UserId, device: DeviceId): Promise<number> {
    let n = 0;
    for await (const key of this.#kv.keys({ prefix: keyPrefix('kp', user, device) })) {
      parseSeqKey(splitKey(key).at(-1) ?? '');
      n++;
    }
    return n;
  }

  async #deviceMeta(device: DeviceId): Promise<{ user: UserId; next: number } | undefined> {
    const value = await this.#kv.get(joinKey('kpdevice', device));
    return value === undefined
      ? undefined
      : (JSON.parse(new TextDecoder().decode(value)) as { user: UserId; next: number });
  }
}
