import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/testing/event-log.ts';

describe('EventLog', () => {
  it('resolves at once when the condition already holds', async () => {
    const log = new EventLog<number>();
    log.push(1);
    expect(await log.waitFor('a one', (e) => e.includes(1), 0)).toEqual([1]);
  });

  it('resolves on the event that makes the condition true', async () => {
    const log = new EventLog<number>();
    const waiting = log.waitFor('three events', (e) => e.length === 3, 5);
    log.push(1);
    log.push(2);
    log.push(3);
    expect(await waiting).toEqual([1, 2, 3]);
  });

  it('gives up, saying what it awaited, after the allowed number of events', async () => {
    const log = new EventLog<number>();
    log.push(0);
    const waiting = log.waitFor('a seven', (e) => e.includes(7), 2);
    log.push(1);
    log.push(2);
    await expect(waiting).rejects.toThrow('a seven: not reached within 2 more events (3 recorded)');
  });
});
