import type { RelayConfig } from './config/settings.ts';
import type { RelayDatabase } from './data/database.ts';
import type { Logger } from './log/logger.ts';
import type { RelayStats } from './metrics/relay-metrics.ts';
import type { MetricsRegistry } from './metrics/registry.ts';
import type { RelayLibp2p } from './net/relay-libp2p.ts';

/**
 * A running relay, as its services see it. This is the seam for what a relay does beyond
 * circuit relaying (mailboxes, key packages, inboxes, blobs): each is a `RelayService`.
 */
export interface Relay {
  readonly config: RelayConfig;
  readonly dataDir: string;
  /** Started and listening. Register protocol handlers with `runOnLimitedConnection: true`. */
  readonly libp2p: RelayLibp2p;
  readonly peerId: string;
  /** Keep a service's data under `db.sublevel(service.name, ...)`. Closed after every service stopped. */
  readonly db: RelayDatabase;
  /** Register a service's own counters and gauges here (names `kith_relay_<service>_...`). */
  readonly metrics: MetricsRegistry;
  /** The metrics every relay reports, which services update. */
  readonly stats: RelayStats;
  /** Use `log.child({ service: name })`. */
  readonly log: Logger;
  /** Dialable addresses, each ending in /p2p/<peer id>. */
  multiaddrs(): string[];
}

/**
 * Something the relay runs: started in list order once libp2p listens and before the relay
 * says it is ready (DIR/multiaddrs, /health 200), stopped in reverse order before libp2p stops
 * and the database closes. A service whose start throws stops the relay from starting, after
 * the services started before it were stopped. `stop` should end within a few seconds: the
 * operator's supervisor is waiting.
 */
export interface RelayService {
  /** Short, lowercase, stable: it names the service's sublevel, logs and metrics. */
  readonly name: string;
  start(relay: Relay): Promise<void> | void;
  stop(): Promise<void> | void;
}
