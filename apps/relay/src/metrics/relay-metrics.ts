import { cpuUsage, memoryUsage } from 'node:process';
import type { Counter, Gauge, MetricsRegistry } from './registry.ts';

/**
 * The metrics every relay has, which services update: what they store and move, and what they
 * refuse and why. Their names are the operator's contract (README, dashboards, alerts).
 */
export interface RelayStats {
  /** Messages (and other items) accepted for storage. */
  readonly messagesIn: Counter;
  /** Messages handed over to devices. */
  readonly messagesOut: Counter;
  /** Bytes held for devices: services inc() on write, dec() on delete, inc() what they hold at start. */
  readonly storedBytes: Gauge;
  /** Requests refused, by reason (`quota`, `rate_limit`, `reservation_limit`, ...). */
  readonly rejections: Counter<'reason'>;
}

export interface RelaySources {
  readonly version: string;
  readonly peerId: string;
  readonly connections: () => number;
  readonly reservations: () => number;
}

export function registerRelayMetrics(registry: MetricsRegistry, sources: RelaySources): RelayStats {
  registry
    .gauge<'version' | 'peer_id'>({
      name: 'kith_relay_info',
      help: 'Always 1; its labels say which relay and version answers.',
      labelNames: ['version', 'peer_id'],
    })
    .labels({ version: sources.version, peer_id: sources.peerId })
    .set(1);
  registry.gauge({
    name: 'kith_relay_connections',
    help: 'Open libp2p connections.',
    collect: sources.connections,
  });
  registry.gauge({
    name: 'kith_relay_reservations',
    help: 'Circuit relay reservations held: devices reachable through this relay.',
    collect: sources.reservations,
  });
  const stats: RelayStats = {
    storedBytes: registry.gauge({
      name: 'kith_relay_stored_bytes',
      help: 'Bytes of ciphertext held for devices.',
    }),
    messagesIn: registry.counter({
      name: 'kith_relay_messages_in_total',
      help: 'Messages accepted for storage.',
    }),
    messagesOut: registry.counter({
      name: 'kith_relay_messages_out_total',
      help: 'Messages handed over to devices.',
    }),
    rejections: registry.counter<'reason'>({
      name: 'kith_relay_rejections_total',
      help: 'Requests refused, by reason.',
      labelNames: ['reason'],
    }),
  };
  stats.rejections.labels({ reason: 'reservation_limit' });
  registerProcessMetrics(registry);
  return stats;
}

function registerProcessMetrics(registry: MetricsRegistry): void {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    collect: () => startSeconds,
  });
  registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds.',
    collect: () => {
      const { user, system } = cpuUsage();
      return (user + system) / 1e6;
    },
  });
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size, in bytes.',
    collect: () => memoryUsage.rss(),
  });
  registry.gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    collect: () => memoryUsage().heapUsed,
  });
  registry.gauge({
    name: 'nodejs_heap_total_bytes',
    help: 'V8 heap allocated, in bytes.',
    collect: () => memoryUsage().heapTotal,
  });
  registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Memory of C++ objects bound to JavaScript (buffers), in bytes.',
    collect: () => memoryUsage().external,
  });
}
