// kith-relay: the relay node's process. Reads its settings, starts the relay, prints its
// addresses, and stops it gracefully on SIGINT or SIGTERM (see `kith-relay --help`).
import { parseCommandLine } from './config/args.ts';
import { helpText } from './config/help.ts';
import { loadConfig } from './config/load-config.ts';
import type { RelayConfig } from './config/settings.ts';
import { ConfigError, describeError } from './errors.ts';
import { createLogger } from './log/logger.ts';
import { firstSignal } from './shutdown.ts';
import { VERSION } from './version.ts';

async function main(argv: readonly string[]): Promise<number> {
  let config: RelayConfig;
  try {
    const line = parseCommandLine(argv);
    if (line.switches.has('--help')) {
      process.stdout.write(helpText(VERSION));
      return 0;
    }
    if (line.switches.has('--version')) {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    config = await loadConfig({ flags: line.flags, env: process.env, cwd: process.cwd() });
    if (line.switches.has('--check-config')) {
      process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
      return 0;
    }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`kith-relay: ${error.message}\n`);
    return 2;
  }

  const log = createLogger({ level: config.logLevel });
  // In the log, where an operator looks, rather than as a bare stack trace. LevelDB survives
  // the exit; the supervisor restarts the relay.
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (error: unknown) => {
      log.error(`${event}: ${describeError(error)}`, { error });
      process.exit(1);
    });
  }
  const signal = firstSignal(log, (code) => process.exit(code));
  // SIGHUP reloads the TLS certificate; before the relay is up (and by default) it would end it.
  let reload: (() => void) | undefined;
  process.on('SIGHUP', () => {
    log.info('received SIGHUP: reloading the TLS certificate');
    if (reload === undefined) log.warn('the relay is not running: nothing reloaded');
    else reload();
  });
  // Loaded only now: --help and a bad setting answer without loading libp2p.
  const { startRelay } = await import('./relay.ts');
  const { relayServices } = await import('./services.ts');
  // Signature checks on every mailbox write: Node's Ed25519 is several times the portable one.
  const { installNodeCrypto } = await import('@kith/node');
  installNodeCrypto();
  let relay;
  try {
    relay = await startRelay(config, { log, services: relayServices(config) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    log.error(describeError(error), code === undefined ? {} : { code });
    return 1;
  }
  const running = relay;
  reload = () => void running.reloadTls();
  process.stdout.write(`${relay.multiaddrs().join('\n')}\n`);
  await signal;
  reload = undefined;
  try {
    await relay.stop();
  } catch (error) {
    log.error(describeError(error), { code: 'STOP_FAILED' });
    return 1;
  }
  return 0;
}

process.title = 'kith-relay';
// Exits as soon as the relay has stopped: libp2p leaves timers behind that would hold the
// process up to a second longer for nothing.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`kith-relay: unexpected error: ${describeError(error)}\n`);
    process.exit(1);
  },
);
