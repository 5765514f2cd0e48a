import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import type { RelayConfig } from './config/settings.ts';
import { openDatabase } from './data/database.ts';
import { loadIdentity } from './data/identity.ts';
import { removeStateFiles, writeStateFiles } from './data/state-files.ts';
import { RelayError, describeError } from './errors.ts';
import { startHttpServer } from './http/http-server.ts';
import { startWebServer, type WebServer } from './http/web-server.ts';
import { createLogger, type Logger } from './log/logger.ts';
import { registerRelayMetrics } from './metrics/relay-metrics.ts';
import { MetricsRegistry } from './metrics/registry.ts';
import { dialableMultiaddrs, startRelayLibp2p, type RelayLibp2p } from './net/relay-libp2p.ts';
import { RelayCertificate } from './net/tls-certificate.ts';
import type { Relay, RelayService } from './service.ts';
import { VERSION } from './version.ts';

type RelayState = 'starting' | 'ready' | 'stopping' | 'stopped';

export interface StartRelayOptions {
  /** Started in this order, stopped in reverse (default: none). */
  readonly services?: readonly RelayService[];
  /** Default: JSON lines on stderr at the configured level. */
  readonly log?: Logger;
}

/** A relay that `startRelay` brought up; `stop()` takes it down in the reverse order. */
export interface RunningRelay extends Relay {
  readonly services: readonly RelayService[];
  /** Base URL of /health and /metrics, e.g. http://127.0.0.1:4013; undefined when off. */
  readonly httpUrl: string | undefined;
  readonly state: RelayState;
  /**
   * Reads the TLS certificate and key files again (on SIGHUP) and serves new secure WebSockets
   * connections with them; open connections keep theirs. Files that are not usable are logged
   * and the certificate in use stays. Resolves to whether the new one is in use.
   */
  reloadTls(): Promise<boolean>;
  /**
   * Removes the state files, stops the services (in reverse), the HTTP server and libp2p, then
   * closes the database. Safe to call twice. What fails is logged and the rest still done;
   * then it rejects with STOP_FAILED.
   */
  stop(): Promise<void>;
}

interface Step {
  readonly what: string;
  readonly undo: () => Promise<void> | void;
}

/**
 * Starts a relay: takes the data directory's lock (the database), loads or creates the
 * identity, starts libp2p and the HTTP server, starts the services, then writes DIR/multiaddrs
 * and reports ready. If any step fails, what was started is stopped again and the error says
 * what to do.
 */
export async function startRelay(
  config: RelayConfig,
  options: StartRelayOptions = {},
): Promise<RunningRelay> {
  const log = options.log ?? createLogger({ level: config.logLevel });
  const services = options.services ?? [];
  const steps: Step[] = [];
  const startedAt = Date.now();
  let state: RelayState = 'starting';
  /** Undoes every step done, newest first, going on past failures; returns what failed. */
  const unwind = async (): Promise<string[]> => {
    const failed: string[] = [];
    for (const step of steps.reverse()) {
      try {
        await step.undo();
      } catch (error) {
        log.error(`could not ${step.what}`, { error });
        failed.push(`could not ${step.what}: ${describeError(error)}`);
      }
    }
    steps.length = 0;
    return failed;
  };

  try {
    const db = await openDatabase(config.dataDir);
    steps.push({ what: 'close the database', undo: () => db.close() });
    // Left by a relay that crashed: this one is not ready yet.
    await removeStateFiles(config.dataDir);
    const identity = await loadIdentity(config.dataDir, log);
    const peerId = peerIdFromPrivateKey(identity.key).toString();
    log.info(identity.created ? 'created a new identity' : 'loaded the identity', { peerId });
    const metrics = new MetricsRegistry();
    // The sources are read at scrape time, once libp2p exists.
    const stats = registerRelayMetrics(metrics, {
      version: VERSION,
      peerId,
      connections: () => libp2p.getConnections().length,
      reservations: () => libp2p.services.circuitRelay.reservations.size,
    });
    const tls = config.tls === undefined ? undefined : await RelayCertificate.load(config.tls, log);
    const libp2p: RelayLibp2p = await startRelayLibp2p(
      identity.key,
      config,
      {
        onReservationRefused: (peer) => {
          stats.rejections.labels({ reason: 'reservation_limit' }).inc();
          log.info('refused a reservation: circuit.maxReservations are held', {
            peer: peer.toString(),
          });
        },
      },
      tls?.certificate,
    );
    steps.push({ what: 'stop libp2p', undo: () => libp2p.stop() });
    watchConnections(libp2p, log);

    let httpUrl: string | undefined;
    let web: WebServer | undefined;
    let stopping: Promise<void> | undefined;
    const relay: RunningRelay = {
      config,
      dataDir: config.dataDir,
      libp2p,
      peerId,
      db,
      metrics,
      stats,
      log,
      services,
      get httpUrl() {
        return httpUrl;
      },
      get state() {
        return state;
      },
      multiaddrs: () => dialableMultiaddrs(libp2p),
      reloadTls: () => {
        if (tls === undefined) {
          log.warn('no TLS certificate is configured (tls.cert): nothing to reload');
          return Promise.resolve(false);
        }
        return tls.relayCertificate.reload((c) => {
          libp2p.services.certificates.renew(c);
          web?.setCertificate(c.cert, c.key);
        });
      },
      stop: () =>
        (stopping ??= (async () => {
          state = 'stopping';
          log.info('stopping');
          const failed = await unwind();
          state = 'stopped';
          if (failed.length > 0) throw new RelayError('STOP_FAILED', failed.join('; '));
          log.info('stopped');
        })()),
    };

    if (config.http !== undefined) {
      const http = await startHttpServer(config.http, {
        health: () => ({
          ok: state === 'ready',
          body: {
            status: state === 'ready' ? 'ok' : state,
            peerId,
            version: VERSION,
            uptime: Math.floor((Date.now() - startedAt) / 1000),
            connections: libp2p.getConnections().length,
            reservations: libp2p.services.circuitRelay.reservations.size,
          },
        }),
        metrics: () => metrics.exposition(),
      });
      httpUrl = http.url;
      steps.push({ what: 'close the HTTP server', undo: () => http.close() });
      log.info('serving /health and /metrics', { url: http.url });
    }

    if (config.web !== undefined) {
      const served = await startWebServer({
        root: config.web.dir,
        address: config.web.listen,
        tls: tls?.certificate,
        multiaddrs: () => relay.multiaddrs(),
      });
      web = served;
      steps.push({ what: 'close the web server', undo: () => served.close() });
      log.info('serving the web app', { url: served.url, dir: config.web.dir });
    }

    for (const service of services) {
      try {
        await service.start(relay);
      } catch (cause) {
        throw new RelayError(
          'SERVICE_FAILED',
          `the ${service.name} service failed to start: ${describeError(cause)}`,
          { cause },
        );
      }
      steps.push({ what: `stop the ${service.name} service`, undo: () => service.stop() });
      log.debug('service started', { service: service.name });
    }

    const multiaddrs = relay.multiaddrs();
    await writeStateFiles(config.dataDir, multiaddrs, httpUrl);
    steps.push({ what: 'remove the state files', undo: () => removeStateFiles(config.dataDir) });
    state = 'ready';
    log.info('ready', { peerId, multiaddrs, http: httpUrl ?? 'off' });
    return relay;
  } catch (error) {
    state = 'stopping';
    await unwind();
    state = 'stopped';
    throw error;
  }
}

function watchConnections(libp2p: RelayLibp2p, log: Logger): void {
  libp2p.addEventListener('peer:connect', (event) => {
    log.debug('peer connected', { peer: event.detail.toString() });
  });
  libp2p.addEventListener('peer:disconnect', (event) => {
    log.debug('peer disconnected', { peer: event.detail.toString() });
  });
}
