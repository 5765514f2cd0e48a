import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { identify, type Identify } from '@libp2p/identify';
import type { IdentifyResult } from '@libp2p/interface';
import { noise } from '@libp2p/noise';
import { ping, type Ping } from '@libp2p/ping';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../process/next-event.ts';
import { RelayProcess, WAIT_MS, runRelay } from '../process/relay-process.ts';
import { selfSignedFor127, type PemPair } from './self-signed.ts';

const RELOADED = 'reloaded the TLS certificate: new connections use it';
const NOT_RELOADED = 'could not reload the TLS certificate, the one in use stays';

/**
 * A libp2p client as a device would dial the relay over wss. Node's WebSocket (undici) checks
 * the certificate against the default CAs, which the test sets to exactly the ones it trusts.
 */
type Client = Libp2p<{ identify: Identify; ping: Ping }>;

async function client(): Promise<Client> {
  return createLibp2p({
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() },
  });
}

/** The fingerprint of the certificate a new TLS connection to host:port is shown. */
function presented(port: number, trusted: PemPair): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: [trusted.cert] }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.destroy();
      resolve(fingerprint);
    });
    socket.once('error', reject);
  });
}

describe('a relay with a TLS certificate', () => {
  const defaultCas = tls.getCACertificates('default');
  let dir: string;
  let first: PemPair;
  let second: PemPair;
  let relay: RelayProcess;
  let wss: string;
  let port: number;
  const clients: Client[] = [];
  const files = () => ({ cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
  const install = async (pair: { cert: string; key: string }): Promise<void> => {
    await writeFile(files().cert, pair.cert);
    await writeFile(files().key, pair.key);
  };
  const trustOnly = (pair: PemPair): void => {
    tls.setDefaultCACertificates([pair.cert]);
  };
  const dialFresh = async (): Promise<Client> => {
    const c = await client();
    clients.push(c);
    await c.dial(multiaddr(wss), { signal: AbortSignal.timeout(WAIT_MS) });
    return c;
  };
  /** Sends SIGHUP and waits for the relay's verdict on it (the `count`th such line). */
  const reload = async (count: number): Promise<void> => {
    const verdicts = () =>
      relay.logs.filter((l) => l.msg === RELOADED || l.msg.startsWith(NOT_RELOADED)).length;
    relay.process.signal('SIGHUP');
    await relay.until('its verdict on the reload', () => verdicts() >= count);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-relay-tls-'));
    [first, second] = await Promise.all([
      selfSignedFor127('first relay certificate'),
      selfSignedFor127('second relay certificate'),
    ]);
    await install(first);
    relay = await RelayProcess.start({
      args: [
        '--listen',
        '/ip4/127.0.0.1/tcp/0/tls/ws',
        '--tls-cert',
        files().cert,
        '--tls-key',
        files().key,
      ],
    });
    wss = relay.multiaddrs.find((a) => a.includes('/tls/ws/')) ?? '';
    port = Number(/\/tcp\/(\d+)\/tls\/ws\//.exec(wss)?.[1]);
  });

  afterAll(async () => {
    tls.setDefaultCACertificates(defaultCas);
    for (const c of clients) await c.stop();
    await relay.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints its secure WebSockets address beside the others and logs the certificate', () => {
    expect(wss).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/tls/ws/p2p/${relay.peerId}$`));
    expect(relay.multiaddrs).toHaveLength(3);
    expect(relay.log('loaded the TLS certificate')?.['fingerprint256']).toBe(first.fingerprint256);
  });

  it('serves a libp2p client that trusts the certificate, and only such a client', async () => {
    trustOnly(second);
    await expect(dialFresh()).rejects.toThrow();
    trustOnly(first);
    const c = await dialFresh();
    expect(await c.services.ping.ping(multiaddr(wss))).toBeGreaterThanOrEqual(0);
  });

  it('serves new connections with a new certificate after SIGHUP; open ones go on', async () => {
    trustOnly(first);
    const before = await dialFresh();
    await install(second);
    await reload(1);
    expect(relay.log(RELOADED)?.['fingerprint256']).toBe(second.fingerprint256);
    expect(await presented(port, second)).toBe(second.fingerprint256);
    // The connection opened with the first certificate is still up.
    const open = before.getConnections()[0];
    expect(open?.status).toBe('open');
    expect(
      await before.services.ping.ping(open?.remotePeer ?? multiaddr(wss)),
    ).toBeGreaterThanOrEqual(0);
    // A new client must trust the second certificate now.
    await expect(dialFresh()).rejects.toThrow();
    trustOnly(second);
    const after = await client();
    clients.push(after);
    const identified = nextEvent<IdentifyResult>(after, 'peer:identify', 'identify');
    await after.dial(multiaddr(wss), { signal: AbortSignal.timeout(WAIT_MS) });
    // The renewal makes the plain /ws port answer TLS too: the relay still tells devices only
    // the addresses it was given.
    const told = (await identified).listenAddrs.map((a) => a.toString());
    const plain = relay.multiaddrs.find((a) => a.includes('/ws/') && !a.includes('/tls/')) ?? '';
    expect(told).toContain(plain.replace(/\/p2p\/.*$/, ''));
    expect(told.filter((a) => a.includes('/tls/ws'))).toEqual([wss.replace(/\/p2p\/.*$/, '')]);
  });

  it('keeps the certificate in use when the new files are bad, and says why', async () => {
    await writeFile(files().cert, 'not a certificate');
    await reload(2);
    expect(relay.logs.find((l) => l.msg.startsWith(NOT_RELOADED))).toMatchObject({
      level: 'error',
      code: 'TLS_UNUSABLE',
    });
    // A key that is not the certificate's is refused too.
    await install({ cert: first.cert, key: second.key });
    await reload(3);
    const refusals = relay.logs.filter((l) => l.msg.startsWith(NOT_RELOADED));
    expect(refusals).toHaveLength(2);
    expect(refusals[1]?.msg).toContain('is not the key of');
    expect(await presented(port, second)).toBe(second.fingerprint256);
    expect(relay.process.exit).toBeUndefined();
  });

  it('does not start with a certificate it cannot use, and says which file', async () => {
    const data = join(dir, 'data');
    const missing = join(dir, 'missing.pem');
    const exit = await runRelay([
      '--data-dir',
      data,
      '--http',
      'off',
      '--listen',
      '/ip4/127.0.0.1/tcp/0/tls/ws',
      '--tls-cert',
      missing,
      '--tls-key',
      files().key,
    ]);
    expect(exit.code).toBe(1);
    const last = JSON.parse(exit.stderr.trim().split('\n').at(-1) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(last['code']).toBe('TLS_UNUSABLE');
    expect(last['msg']).toContain(`cannot read the TLS certificate ${missing}`);
  });
});
