import { afterEach, describe, expect, inject, it } from 'vitest';
import { BrowserError, KithBrowser } from '../src/index.ts';
import { uniqueName } from './helpers.ts';

const open: KithBrowser[] = [];

afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

async function device(name: string, options: { waitForOtherTab?: boolean } = {}) {
  const d = await KithBrowser.open({
    name,
    relays: [inject('relayAddress')],
    dialInsecure: true,
    ...options,
  });
  open.push(d);
  return d;
}

describe('KithBrowser: one tab per device', () => {
  it('refuses a second open while the first holds the device, and hands over once it closes', async () => {
    const name = uniqueName('lock');
    const first = await device(name);
    const refused = await KithBrowser.open({ name }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(BrowserError);
    expect(refused).toMatchObject({ code: 'OPEN_IN_ANOTHER_TAB' });
    // A tab that chooses to wait gets the device when the first lets go.
    const waiting = device(name, { waitForOtherTab: true });
    const userId = first.userId;
    await first.close();
    const second = await waiting;
    // The same device, read back from IndexedDB: the identity survived the handover.
    expect(second.userId).toBe(userId);
  });

  it('keeps separate devices apart on one origin', async () => {
    const a = await device(uniqueName('a'));
    const b = await device(uniqueName('b'));
    expect(a.userId).not.toBe(b.userId);
  });

  it('reserves a slot on its relay: others can reach it at <relay>/p2p-circuit', async () => {
    const d = await device(uniqueName('circuit'));
    const relay = inject('relayAddress');
    const circuit = await new Promise<string>((resolve) => {
      const find = () => d.addresses().find((a) => a.startsWith(`${relay}/p2p-circuit`));
      const now = find();
      if (now !== undefined) {
        resolve(now);
        return;
      }
      d.libp2p.addEventListener('self:peer:update', () => {
        const found = find();
        if (found !== undefined) resolve(found);
      });
    });
    expect(circuit).toContain(d.libp2p.peerId.toString());
  });
});
