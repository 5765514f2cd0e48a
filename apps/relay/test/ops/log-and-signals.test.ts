import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/logger.ts';
import { firstSignal } from '../../src/shutdown.ts';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    level,
    now: () => new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
    write: (line) => {
      expect(line.endsWith('\n')).toBe(true);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { log, lines };
}

describe('structured logs', () => {
  it('writes one JSON object a line with ts, level, msg and flat fields', () => {
    const { log, lines } = capture();
    log.info('ready', {
      peerId: 'p',
      count: 2n,
      error: Object.assign(new Error('boom'), { code: 'X' }),
    });
    expect(lines).toEqual([
      {
        ts: '2025-01-02T03:04:05.000Z',
        level: 'info',
        msg: 'ready',
        peerId: 'p',
        count: '2',
        error: { name: 'Error', message: 'boom', code: 'X' },
      },
    ]);
  });

  it('drops lines below its level and keeps the first three keys its own', () => {
    const { log, lines } = capture('warn');
    log.debug('no');
    log.info('no');
    log.warn('yes', { msg: 'field', level: 'field' });
    log.child({ service: 'mailbox' }).error('child', { topic: 't' });
    expect(lines.map((l) => l['msg'])).toEqual(['yes', 'child']);
    expect(lines[0]).toMatchObject({ level: 'warn', 'field.msg': 'field', 'field.level': 'field' });
    expect(lines[1]).toMatchObject({ level: 'error', service: 'mailbox', topic: 't' });
  });
});

describe('shutdown signals', () => {
  it('resolves on the first, ignores its copies, and forces an exit on a later one', async () => {
    const { log, lines } = capture();
    const source = new EventEmitter();
    let now = 1000;
    const forced: number[] = [];
    const first = firstSignal(log, (code) => forced.push(code), { source, now: () => now });
    source.emit('SIGTERM', 'SIGTERM');
    expect(await first).toBe('SIGTERM');
    // The same Ctrl-C passed on by a wrapper arrives at once: not a second request.
    now += 5;
    source.emit('SIGINT', 'SIGINT');
    expect(forced).toEqual([]);
    now += 2000;
    source.emit('SIGINT', 'SIGINT');
    expect(forced).toEqual([1]);
    expect(lines.map((l) => l['msg'])).toEqual([
      'received a signal: shutting down',
      'second signal: exiting without finishing the shutdown',
    ]);
    source.removeAllListeners();
  });
});
