import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/config/args.ts';
import { helpText } from '../../src/config/help.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { SETTINGS, envOf, flagOf, type RelayConfig } from '../../src/config/settings.ts';
import { ConfigError } from '../../src/errors.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kith-relay-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<RelayConfig> {
  return loadConfig({ flags: parseCommandLine(argv).flags, env, cwd: dir });
}

async function refusal(
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<ConfigError> {
  try {
    await load(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

async function configFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('relay settings', () => {
  it('has safe defaults: loopback-only HTTP, raised circuit limits', async () => {
    const config = await load(['--data-dir', 'data']);
    expect(config.dataDir).toBe(join(dir, 'data'));
    expect(config.listen).toEqual(['/ip4/0.0.0.0/tcp/4011', '/ip4/0.0.0.0/tcp/4012/ws']);
    expect(config.announce).toEqual([]);
    expect(config.http).toEqual({ host: '127.0.0.1', port: 4013 });
    expect(config.logLevel).toBe('info');
    expect(config.circuit).toEqual({
      maxReservations: 256,
      reservationTtlMs: 2 * 3600_000,
      connectionDurationMs: 3600_000,
      connectionDataBytes: 64 * 1024 ** 2,
    });
    expect(config.mailbox.retentionMs).toBe(14 * 86_400_000);
    expect(config.rateLimit.peerRequestsPerMinute).toBe(600);
    // Above libp2p's 5 a second, so devices behind one NAT reconnect together after a restart.
    expect(config.connectionsPerSecondPerIp).toBe(20);
  });

  it('serves the web app only with --web: its built dist/ alone, or a directory given', async () => {
    expect((await load(['--data-dir', 'd'])).web).toBeUndefined();
    const bare = await load(['--data-dir', 'd', '--web']);
    expect(bare.web?.dir).toMatch(/apps\/web\/dist$/);
    expect(bare.web?.listen).toEqual({ host: '0.0.0.0', port: 4080 });
    const before = await load(['--web', '--data-dir', 'd']);
    expect(before.web?.dir).toBe(bare.web?.dir);
    expect(before.dataDir).toBe(join(dir, 'd'));
    const given = await load(['--data-dir', 'd', '--web', 'site', '--web-listen', '127.0.0.1:0']);
    expect(given.web).toEqual({ dir: join(dir, 'site'), listen: { host: '127.0.0.1', port: 0 } });
    const file = await configFile('web.json', { dataDir: 'd', web: true });
    expect((await load(['--config', file])).web?.dir).toBe(bare.web?.dir);
  });

  it('takes the per-IP connection rate from a flag and refuses zero', async () => {
    const config = await load(['--data-dir', 'd', '--connections-per-second-per-ip', '50']);
    expect(config.connectionsPerSecondPerIp).toBe(50);
    const error = await refusal(['--data-dir', 'd', '--connections-per-second-per-ip', '0']);
    expect(error.message).toMatch(/connections-per-second-per-ip/);
  });

  it('takes flags over the environment over the file over the defaults', async () => {
    const file = await configFile('precedence.json', {
      dataDir: 'from-file',
      logLevel: 'warn',
      maxConnections: 10,
      circuit: { maxReservations: 1, connectionData: '1MiB' },
    });
    const fileOnly = await load(['--config', file]);
    expect(fileOnly.dataDir).toBe(join(dir, 'from-file'));
    expect(fileOnly.circuit.maxReservations).toBe(1);
    expect(fileOnly.circuit.connectionDataBytes).toBe(1024 ** 2);
    expect(fileOnly.maxConnections).toBe(10);

    const env = {
      KITH_RELAY_CONFIG: file,
      KITH_RELAY_LOG_LEVEL: 'debug',
      KITH_RELAY_CIRCUIT_MAX_RESERVATIONS: '2',
      KITH_RELAY_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2/ws',
    };
    const withEnv = await load([], env);
    expect(withEnv.logLevel).toBe('debug');
    expect(withEnv.circuit.maxReservations).toBe(2);
    expect(withEnv.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2/ws']);
    expect(withEnv.maxConnections).toBe(10);

    const withFlags = await load(
      ['--circuit-max-reservations', '3', '--listen', '/ip4/127.0.0.1/tcp/3', '--data-dir=x'],
      env,
    );
    expect(withFlags.circuit.maxReservations).toBe(3);
    expect(withFlags.listen).toEqual(['/ip4/127.0.0.1/tcp/3']);
    expect(withFlags.dataDir).toBe(join(dir, 'x'));
    expect(withFlags.logLevel).toBe('debug');
  });

  it('reads sizes and durations with units, and lists from repeated flags', async () => {
    const config = await load([
      '--data-dir',
      'd',
      '--circuit-connection-data',
      '1.5 GiB',
      '--circuit-connection-duration',
      '90',
      '--circuit-reservation-ttl',
      '30m',
      '--mailbox-retention',
      '7d',
      '--mailbox-topic-quota',
      '2MB',
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--listen',
      '/ip6/::1/tcp/0/ws',
      '--http',
      '[::1]:0',
    ]);
    expect(config.circuit.connectionDataBytes).toBe(1.5 * 1024 ** 3);
    expect(config.circuit.connectionDurationMs).toBe(90_000);
    expect(config.circuit.reservationTtlMs).toBe(30 * 60_000);
    expect(config.mailbox.retentionMs).toBe(7 * 86_400_000);
    expect(config.mailbox.topicQuotaBytes).toBe(2_000_000);
    expect(config.listen).toEqual(['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/0/ws']);
    expect(config.http).toEqual({ host: '::1', port: 0 });
    expect((await load(['--data-dir', 'd', '--http', 'off'])).http).toBeUndefined();
  });

  it('takes a relative dataDir in the file from the file’s directory', async () => {
    const file = await configFile('relative.json', { dataDir: 'state' });
    expect((await load(['--config', file])).dataDir).toBe(join(dir, 'state'));
  });

  it('names the setting, its source and what it must be when a value is wrong', async () => {
    const flag = await refusal(['--data-dir', 'd', '--circuit-max-reservations', 'many']);
    expect(flag.code).toBe('CONFIG_INVALID');
    expect(flag.setting).toBe('circuit.maxReservations');
    expect(flag.message).toBe(
      'circuit.maxReservations must be a whole number from 0 to 100000; got "many" from --circuit-max-reservations',
    );
    const env = await refusal(['--data-dir', 'd'], {
      KITH_RELAY_CIRCUIT_CONNECTION_DATA: '12 parsecs',
    });
    expect(env.setting).toBe('circuit.connectionData');
    expect(env.message).toContain('from KITH_RELAY_CIRCUIT_CONNECTION_DATA');
    expect(env.message).toContain('a size from 64KiB to 16GiB');
    const file = await configFile('bad-level.json', { dataDir: 'd', logLevel: 'loud' });
    const fromFile = await refusal(['--config', file]);
    expect(fromFile.message).toBe(
      `logLevel must be one of debug, info, warn, error; got "loud" from ${file} ("logLevel")`,
    );
    const tooShort = await refusal(['--data-dir', 'd', '--circuit-connection-duration', '1s']);
    expect(tooShort.message).toContain('a duration from 10s to 1d');
    const listen = await refusal(['--data-dir', 'd', '--listen', '/ip4/1.2.3.4/udp/1']);
    expect(listen.message).toContain(
      '"/ip4/1.2.3.4/udp/1" is not a TCP, WebSockets or secure WebSockets address',
    );
    const garbage = await refusal(['--data-dir', 'd', '--announce', 'not-an-address']);
    expect(garbage.setting).toBe('announce');
    expect(garbage.message).toContain('"not-an-address" is not a multiaddr');
    const http = await refusal(['--data-dir', 'd', '--http', 'localhost']);
    expect(http.message).toContain('http must be HOST:PORT');
  });

  it('takes a TLS certificate and key together, with secure WebSockets addresses', async () => {
    const tls = ['--tls-cert', 'cert.pem', '--tls-key', 'key.pem'];
    const none = await load(['--data-dir', 'd']);
    expect(none.tls).toBeUndefined();
    // The default addresses gain a secure WebSockets one; paths are taken from the directory.
    const defaults = await load(['--data-dir', 'd', ...tls]);
    expect(defaults.tls).toEqual({
      certFile: join(dir, 'cert.pem'),
      keyFile: join(dir, 'key.pem'),
    });
    expect(defaults.listen).toEqual([
      '/ip4/0.0.0.0/tcp/4011',
      '/ip4/0.0.0.0/tcp/4012/ws',
      '/ip4/0.0.0.0/tcp/4443/tls/ws',
    ]);
    const given = await load(['--data-dir', 'd', ...tls, '--listen', '/ip4/127.0.0.1/tcp/443/wss']);
    expect(given.listen).toEqual(['/ip4/127.0.0.1/tcp/443/wss']);

    const alone = await refusal(['--data-dir', 'd', '--tls-cert', 'cert.pem']);
    expect(alone.setting).toBe('tls.key');
    expect(alone.message).toContain('pass --tls-key as well');
    const noCert = await refusal(['--data-dir', 'd', '--listen', '/ip4/0.0.0.0/tcp/443/tls/ws']);
    expect(noCert.setting).toBe('listen');
    expect(noCert.message).toContain('needs a certificate (--tls-cert and --tls-key)');
    const noWss = await refusal(['--data-dir', 'd', ...tls, '--listen', '/ip4/0.0.0.0/tcp/1']);
    expect(noWss.setting).toBe('listen');
    expect(noWss.message).toContain('no listen address is secure WebSockets');
  });

  it('requires a data directory and says the three ways to give one', async () => {
    const missing = await refusal([]);
    expect(missing.setting).toBe('dataDir');
    expect(missing.message).toBe(
      'dataDir is required: pass --data-dir, set KITH_RELAY_DATA_DIR, or set "dataDir" in the config file',
    );
  });

  it('refuses unknown flags, file keys and KITH_RELAY_ variables instead of ignoring a typo', async () => {
    expect((await refusal(['--data-dir', 'd', '--max-conections', '5'])).message).toBe(
      'unknown option --max-conections: see kith-relay --help',
    );
    expect((await refusal(['--data-dir', 'd', 'extra'])).message).toContain(
      'unexpected argument "extra"',
    );
    expect((await refusal(['--data-dir'])).message).toBe(
      '--data-dir needs a value: see kith-relay --help',
    );
    const file = await configFile('typo.json', { dataDir: 'd', circuit: { maxReservation: 5 } });
    const typo = await refusal(['--config', file]);
    expect(typo.setting).toBe('circuit.maxReservation');
    expect(typo.message).toContain(`unknown setting "circuit.maxReservation" in ${file}`);
    const env = await refusal(['--data-dir', 'd'], { KITH_RELAY_MAX_CONECTIONS: '5' });
    expect(env.message).toContain('unknown environment variable KITH_RELAY_MAX_CONECTIONS');
    // Empty variables count as unset, as service managers leave them.
    expect((await load(['--data-dir', 'd'], { KITH_RELAY_LOG_LEVEL: '' })).logLevel).toBe('info');
  });

  it('reports an unreadable or malformed config file', async () => {
    const missing = await refusal(['--config', join(dir, 'nope.json')]);
    expect(missing.message).toContain('cannot read the config file');
    const notJson = await refusal(['--config', await configFile('broken.json', '{"dataDir": ')]);
    expect(notJson.message).toContain('is not valid JSON');
    const notObject = await refusal(['--config', await configFile('array.json', [1])]);
    expect(notObject.message).toContain('must be a JSON object');
  });

  it('documents every setting in --help with its flag, variable and key', () => {
    const help = helpText('0.0.0');
    for (const setting of Object.values(SETTINGS)) {
      expect(help).toContain(flagOf(setting.key));
      expect(help).toContain(envOf(setting.key));
      expect(help).toContain(`"${setting.key}"`);
    }
    expect(help).toContain('--config FILE');
    expect(flagOf('circuit.maxReservations')).toBe('--circuit-max-reservations');
    expect(envOf('circuit.maxReservations')).toBe('KITH_RELAY_CIRCUIT_MAX_RESERVATIONS');
  });
});
