import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS, flagOf } from '../../src/config/settings.ts';
import { RelayProcess, runRelay, tempDir } from './relay-process.ts';

describe('the kith-relay process', () => {
  let relay: RelayProcess;
  beforeAll(async () => {
    relay = await RelayProcess.start();
  });
  afterAll(() => relay.remove());

  it('prints its multiaddrs and writes them to DIR/multiaddrs once ready', async () => {
    const printed = relay.stdout.trim().split('\n');
    const written = (await readFile(join(relay.dataDir, 'multiaddrs'), 'utf8')).trim().split('\n');
    expect(printed).toEqual(written);
    expect(printed).toEqual(relay.multiaddrs);
    expect(printed).toHaveLength(2);
    expect(printed[0]).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${relay.peerId}$`));
    expect(printed[1]).toMatch(
      new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/ws/p2p/${relay.peerId}$`),
    );
    expect((await readFile(join(relay.dataDir, 'http-address'), 'utf8')).trim()).toBe(
      relay.httpUrl,
    );
    expect(relay.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('logs JSON lines with ts, level and msg on stderr', () => {
    expect(relay.logs.length).toBeGreaterThan(0);
    for (const line of relay.logs) {
      expect(Number.isNaN(Date.parse(line.ts))).toBe(false);
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(typeof line.msg).toBe('string');
    }
    expect(relay.log('created a new identity')?.['peerId']).toBe(relay.peerId);
  });

  it('answers GET /health with its status, peer ID, uptime and connections', async () => {
    const health = await relay.get('/health');
    expect(health.status).toBe(200);
    expect(health.type).toBe('application/json');
    const body = JSON.parse(health.text) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', peerId: relay.peerId, connections: 0 });
    expect(typeof body['uptime']).toBe('number');
  });

  it('answers GET /metrics in the Prometheus text format', async () => {
    const metrics = await relay.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'kith_relay_connections',
      'kith_relay_reservations',
      'kith_relay_stored_bytes',
      'kith_relay_messages_in_total',
      'kith_relay_messages_out_total',
      'kith_relay_rejections_total',
      'process_resident_memory_bytes',
    ]) {
      expect(metrics.text).toMatch(new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'));
    }
    expect(await relay.metric('kith_relay_stored_bytes')).toBe(0);
    expect(await relay.metric(`kith_relay_info{version="0.1.0",peer_id="${relay.peerId}"}`)).toBe(
      1,
    );
  });

  it('answers other paths and methods with 404 and 405', async () => {
    expect((await relay.get('/')).status).toBe(404);
    const post = await fetch(`${relay.httpUrl}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('refuses a second relay on the same directory and keeps serving', async () => {
    const second = await runRelay(['--data-dir', relay.dataDir, '--http', 'off']);
    expect(second.code).toBe(1);
    const line = JSON.parse(second.stderr.trim().split('\n').at(-1) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({
      level: 'error',
      code: 'DATA_DIR_IN_USE',
      msg: `another kith-relay is using ${relay.dataDir} (its database is locked): stop that one first, or give this one another --data-dir`,
    });
    expect((await relay.get('/health')).status).toBe(200);
  });
});

describe('kith-relay restarts and stops', () => {
  it('exits 0 on SIGTERM, removes its state files, and keeps its peer ID across a restart', async () => {
    const first = await RelayProcess.start();
    try {
      const exit = await first.signal('SIGTERM');
      expect(exit.code).toBe(0);
      expect(first.logs.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['received a signal: shutting down', 'stopping', 'stopped']),
      );
      await expect(access(join(first.dataDir, 'multiaddrs'))).rejects.toMatchObject({
        code: 'ENOENT',
      });
      await expect(access(join(first.dataDir, 'http-address'))).rejects.toMatchObject({
        code: 'ENOENT',
      });

      const second = await RelayProcess.start({ dataDir: first.dataDir });
      expect(second.peerId).toBe(first.peerId);
      expect(second.log('loaded the identity')?.['peerId']).toBe(first.peerId);
      expect((await second.signal('SIGINT')).code).toBe(0);
    } finally {
      await first.remove();
    }
  });
});

describe('kith-relay settings on the command line', () => {
  it('exits 2 naming the setting, its source and what it must be', async () => {
    const dir = await tempDir();
    try {
      const bad = await runRelay(['--data-dir', dir, '--circuit-max-reservations', 'lots']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(
        'kith-relay: circuit.maxReservations must be a whole number from 0 to 100000; got "lots" from --circuit-max-reservations\n',
      );
      const env = await runRelay(['--data-dir', dir], { KITH_RELAY_HTTP: 'everywhere' });
      expect(env.code).toBe(2);
      expect(env.stderr).toContain('http must be HOST:PORT');
      expect(env.stderr).toContain('from KITH_RELAY_HTTP');
      const unknown = await runRelay(['--data-dir', dir, '--turbo']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toBe('kith-relay: unknown option --turbo: see kith-relay --help\n');
      const missing = await runRelay([]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('dataDir is required: pass --data-dir');
      const file = await runRelay(['--config', join(dir, 'missing.json')]);
      expect(file.code).toBe(2);
      expect(file.stderr).toContain('cannot read the config file');
      // Nothing was created by a refused start.
      await expect(access(join(dir, 'identity'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('documents every option in --help, and prints its version and settings in force', async () => {
    const help = await runRelay(['--help']);
    expect(help.code).toBe(0);
    for (const s of Object.values(SETTINGS)) expect(help.stdout).toContain(flagOf(s.key));
    expect((await runRelay(['--version'])).stdout).toBe('0.1.0\n');
    const check = await runRelay(['--check-config', '--data-dir', '/srv/relay'], {
      KITH_RELAY_CIRCUIT_MAX_RESERVATIONS: '7',
    });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({
      dataDir: '/srv/relay',
      circuit: { maxReservations: 7 },
      http: { host: '127.0.0.1', port: 4013 },
    });
  });
});
