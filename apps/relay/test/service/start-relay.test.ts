import { access, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCbor, KvStore, seqKey } from '@kith/core';
import { parseCommandLine } from '../../src/config/args.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { RelayConfig } from '../../src/config/settings.ts';
import { openDatabase } from '../../src/data/database.ts';
import { RelayError } from '../../src/errors.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { startRelay, type RunningRelay } from '../../src/relay.ts';
import type { Relay, RelayService } from '../../src/service.ts';
import { StoreAndForward } from '../../src/services/store-and-forward.ts';
import { tempDir } from '../process/relay-process.ts';

const quiet: Logger = createLogger({ level: 'error', write: () => undefined });
const dirs: string[] = [];
const running: RunningRelay[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function config(dataDir?: string): Promise<RelayConfig> {
  const dir = dataDir ?? (await tempDir());
  dirs.push(dir);
  const argv = ['--data-dir', dir, '--listen', '/ip4/127.0.0.1/tcp/0', '--http', '127.0.0.1:0'];
  return loadConfig({ flags: parseCommandLine(argv).flags, env: {}, cwd: dir });
}

async function start(c: RelayConfig, services: RelayService[] = []): Promise<RunningRelay> {
  const relay = await startRelay(c, { services, log: quiet });
  running.push(relay);
  return relay;
}

async function failure(promise: Promise<unknown>): Promise<RelayError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RelayError) return error;
    throw error;
  }
  throw new Error('it succeeded');
}

/** A service that records its calls; `fail` makes its start throw. */
function recorder(name: string, events: string[], fail = false): RelayService {
  return {
    name,
    start: (relay: Relay) => {
      events.push(`start ${name} ${relay.libp2p.status}`);
      if (fail) throw new Error('no disk for you');
    },
    stop: () => {
      events.push(`stop ${name}`);
    },
  };
}

describe('startRelay and its services', () => {
  it('starts services in order once libp2p listens, and stops them in reverse before it', async () => {
    const events: string[] = [];
    const relay = await start(await config(), [recorder('a', events), recorder('b', events)]);
    expect(relay.state).toBe('ready');
    expect(events).toEqual(['start a started', 'start b started']);
    await relay.stop();
    expect(events).toEqual(['start a started', 'start b started', 'stop b', 'stop a']);
    expect(relay.state).toBe('stopped');
    expect(relay.libp2p.status).toBe('stopped');
    await relay.stop(); // twice is harmless
  });

  it('gives services a database, metrics and the addresses', async () => {
    const c = await config();
    const counter: RelayService & { relay?: Relay } = {
      name: 'counter',
      async start(relay) {
        this.relay = relay;
        const own = relay.db.sublevel('counter', { valueEncoding: 'utf8' });
        const before = Number((await own.get('starts')) ?? '0');
        await own.put('starts', String(before + 1));
        relay.metrics.gauge({ name: 'kith_relay_counter_starts', help: 'Starts.' }).set(before + 1);
        relay.stats.storedBytes.inc(10);
        relay.stats.rejections.labels({ reason: 'quota' }).inc();
      },
      stop: () => undefined,
    };
    const first = await start(c, [counter]);
    expect(first.multiaddrs()).toHaveLength(1);
    expect(first.multiaddrs()[0]).toMatch(
      new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${first.peerId}$`),
    );
    await first.stop();
    const second = await start(c, [counter]);
    expect(second.peerId).toBe(first.peerId);
    const metrics = await (await fetch(`${second.httpUrl ?? ''}/metrics`)).text();
    expect(metrics).toContain('kith_relay_counter_starts 2');
    expect(metrics).toContain('kith_relay_stored_bytes 10');
    expect(metrics).toContain('kith_relay_rejections_total{reason="quota"} 1');
  });

  it('stops what it started when a service fails, so the directory is free again', async () => {
    const events: string[] = [];
    const c = await config();
    const error = await failure(
      startRelay(c, {
        services: [recorder('a', events), recorder('b', events, true), recorder('c', events)],
        log: quiet,
      }),
    );
    expect(error.code).toBe('SERVICE_FAILED');
    expect(error.message).toBe('the b service failed to start: no disk for you');
    expect(events).toEqual(['start a started', 'start b started', 'stop a']);
    await expect(access(join(c.dataDir, 'multiaddrs'))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await start(c);
    expect(again.state).toBe('ready');
  });

  it('answers /health with 503 until every service has started', async () => {
    const seen: unknown[] = [];
    const probe: RelayService = {
      name: 'probe',
      start: async (relay) => {
        const response = await fetch(`${(relay as RunningRelay).httpUrl ?? ''}/health`);
        seen.push(response.status, ((await response.json()) as { status: string }).status);
      },
      stop: () => undefined,
    };
    const relay = await start(await config(), [probe]);
    expect(seen).toEqual([503, 'starting']);
    expect((await fetch(`${relay.httpUrl ?? ''}/health`)).status).toBe(200);
  });

  it('refuses a second relay on the same directory, saying what to do', async () => {
    const c = await config();
    await start(c);
    const error = await failure(startRelay(c, { log: quiet }));
    expect(error.code).toBe('DATA_DIR_IN_USE');
    expect(error.message).toBe(
      `another kith-relay is using ${c.dataDir} (its database is locked): stop that one first, or give this one another --data-dir`,
    );
  });

  it('keeps its key readable by its user only, and the directory private', async () => {
    const c = await config();
    await start(c);
    expect((await stat(join(c.dataDir, 'identity'))).mode & 0o777).toBe(0o600);
    expect((await stat(c.dataDir)).mode & 0o077).toBe(0);
  });

  it('refuses a data directory written by a newer relay', async () => {
    const c = await config();
    const db = await openDatabase(c.dataDir);
    await db.sublevel('meta', { valueEncoding: 'utf8' }).put('format', '99');
    await db.close();
    const error = await failure(startRelay(c, { log: quiet }));
    expect(error.code).toBe('DATA_DIR_TOO_NEW');
    expect(error.message).toContain('data format 99, this one knows 2');
    // It let go of the lock on the way out.
    const reopened = new ClassicLevel(join(c.dataDir, 'db'));
    await reopened.open();
    await reopened.close();
  });

  it('upgrades a data directory of format 1: mailbox keys deleted, the format raised', async () => {
    const c = await config();
    const db = await openDatabase(c.dataDir);
    await db.sublevel('meta', { valueEncoding: 'utf8' }).put('format', '1');
    const legacy = `mb/${'ab'.repeat(32)}/key/${seqKey(1n)}/${'cd'.repeat(32)}`;
    await db
      .sublevel<string, Uint8Array>('saf', KvStore.databaseOptions)
      .put(legacy, encodeCbor([0]));
    await db.close();
    const relay = await start(c, [new StoreAndForward(c)]);
    await relay.stop();
    running.splice(running.indexOf(relay), 1);
    const after = await openDatabase(c.dataDir);
    try {
      expect(await after.sublevel('meta', { valueEncoding: 'utf8' }).get('format')).toBe('2');
      expect(
        await after.sublevel<string, Uint8Array>('saf', KvStore.databaseOptions).get(legacy),
      ).toBeUndefined();
    } finally {
      await after.close();
    }
  });

  it('says which address is taken when it cannot listen', async () => {
    const first = await start(await config());
    const port = /\/tcp\/(\d+)\//.exec(first.multiaddrs()[0] ?? '')?.[1];
    const c = await config();
    const taken = { ...c, listen: [`/ip4/127.0.0.1/tcp/${port}`] };
    const error = await failure(startRelay(taken, { log: quiet }));
    expect(error.code).toBe('LISTEN_FAILED');
    expect(error.message).toContain(`/ip4/127.0.0.1/tcp/${port}`);
    expect(error.message).toContain('Choose free ports with --listen');
    const httpPort = new URL(first.httpUrl ?? '').port;
    const httpTaken = { ...c, http: { host: '127.0.0.1', port: Number(httpPort) } };
    const httpError = await failure(startRelay(httpTaken, { log: quiet }));
    expect(httpError.code).toBe('HTTP_FAILED');
    expect(httpError.message).toContain(`127.0.0.1:${httpPort}`);
    expect(httpError.message).toContain('--http');
  });
});

describe('stopping a relay', () => {
  it('goes on past a service that fails to stop, and reports it', async () => {
    const events: string[] = [];
    const c = await config();
    const broken: RelayService = {
      name: 'broken',
      start: () => undefined,
      stop: () => {
        throw new Error('stuck');
      },
    };
    const relay = await startRelay(c, { services: [recorder('a', events), broken], log: quiet });
    const error = await failure(relay.stop());
    expect(error.code).toBe('STOP_FAILED');
    expect(error.message).toBe('could not stop the broken service: stuck');
    expect(events).toEqual(['start a started', 'stop a']);
    expect(relay.libp2p.status).toBe('stopped');
    // The database was closed all the same: the directory can be used again.
    await start(c);
  });
});
