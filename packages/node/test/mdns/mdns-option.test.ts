import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KithNode, type KithNodeOptions } from '../../src/index.ts';

// libp2p keeps its peer discoveries among its internal components, out of its public API, so
// the test watches what an mDNS discovery does instead: it holds a UDP socket (multicast-dns
// binds port 5353) while the node runs. Nothing else in a device's stack uses UDP (TCP and
// WebSockets only), so the number of UDP sockets this process holds tells whether it is there.
function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

const dirs: string[] = [];
const open: KithNode[] = [];

afterEach(async () => {
  for (const n of open.splice(0)) await n.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function openNode(mdns: Pick<KithNodeOptions, 'mdns'>): Promise<KithNode> {
  const dir = await mkdtemp(join(tmpdir(), 'kith-mdns-option-'));
  dirs.push(dir);
  // Loopback only: the node may answer mDNS queries, and should not offer itself to the LAN.
  const node = await KithNode.open({ dataDir: dir, listen: ['/ip4/127.0.0.1/tcp/0'], ...mdns });
  open.push(node);
  return node;
}

describe('the mdns option of KithNode.open', () => {
  it('runs mDNS discovery by default, none with mdns: false, and close() stops it', async () => {
    const before = udpSockets();

    const quiet = await openNode({ mdns: false });
    expect(udpSockets(), 'UDP sockets with mdns: false').toBe(before);
    await quiet.close();

    const chatty = await openNode({});
    expect(udpSockets(), 'UDP sockets with the default mdns option').toBe(before + 1);
    await chatty.close();
    expect(udpSockets(), 'UDP sockets once the default node is closed').toBe(before);
  });
});
