import { describe, expect, it } from 'vitest';
import { registerRelayMetrics } from '../../src/metrics/relay-metrics.ts';
import { MetricsRegistry } from '../../src/metrics/registry.ts';

describe('the metrics registry', () => {
  it('writes counters and gauges in the Prometheus text format', () => {
    const registry = new MetricsRegistry();
    const sent = registry.counter({ name: 'demo_sent_total', help: 'Sent.' });
    const queue = registry.gauge({ name: 'demo_queue', help: 'Queued.\nNow.' });
    const refused = registry.counter<'reason'>({
      name: 'demo_refused_total',
      help: 'Refused.',
      labelNames: ['reason'],
    });
    let open = 7;
    registry.gauge({ name: 'demo_open', help: 'Open.', collect: () => open });
    sent.inc();
    sent.inc(2);
    queue.set(5);
    queue.dec(2);
    refused.labels({ reason: 'quota' }).inc();
    refused.labels({ reason: 'say "no"\\' }).inc(4);
    open = 8;
    expect(registry.exposition()).toBe(
      [
        '# HELP demo_sent_total Sent.',
        '# TYPE demo_sent_total counter',
        'demo_sent_total 3',
        '# HELP demo_queue Queued.\\nNow.',
        '# TYPE demo_queue gauge',
        'demo_queue 3',
        '# HELP demo_refused_total Refused.',
        '# TYPE demo_refused_total counter',
        'demo_refused_total{reason="quota"} 1',
        'demo_refused_total{reason="say \\"no\\"\\\\"} 4',
        '# HELP demo_open Open.',
        '# TYPE demo_open gauge',
        'demo_open 8',
        '',
      ].join('\n'),
    );
  });

  it('refuses what would make the exposition wrong', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter({ name: 'x_total', help: 'x' });
    expect(() => {
      c.inc(-1);
    }).toThrow('cannot go down');
    expect(() => registry.counter({ name: 'x_total', help: 'again' })).toThrow('exists already');
    expect(() => registry.counter({ name: 'no_suffix', help: 'x' })).toThrow('must end in _total');
    expect(() => registry.gauge({ name: 'bad-name', help: 'x' })).toThrow('bad metric name');
    const labelled = registry.counter<'reason'>({
      name: 'y_total',
      help: 'y',
      labelNames: ['reason'],
    });
    expect(() => {
      labelled.inc();
    }).toThrow('needs labels reason');
    expect(() => labelled.labels({ other: 'z' } as never)).toThrow('takes labels reason');
  });

  it('has the relay’s own metrics, which services update, and the process’s memory', () => {
    const registry = new MetricsRegistry();
    const stats = registerRelayMetrics(registry, {
      version: '1.2.3',
      peerId: '12D3KooW',
      connections: () => 4,
      reservations: () => 2,
    });
    stats.messagesIn.inc(3);
    stats.messagesOut.inc();
    stats.storedBytes.inc(1000);
    stats.rejections.labels({ reason: 'quota' }).inc();
    const text = registry.exposition();
    for (const line of [
      'kith_relay_info{version="1.2.3",peer_id="12D3KooW"} 1',
      'kith_relay_connections 4',
      'kith_relay_reservations 2',
      'kith_relay_stored_bytes 1000',
      'kith_relay_messages_in_total 3',
      'kith_relay_messages_out_total 1',
      'kith_relay_rejections_total{reason="reservation_limit"} 0',
      'kith_relay_rejections_total{reason="quota"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
    expect(text).toMatch(/^nodejs_heap_used_bytes [1-9]\d*$/m);
  });
});
