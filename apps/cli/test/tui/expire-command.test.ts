import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/tui/commands.ts';
import { durationText, parseDuration } from '../../src/tui/expire-command.ts';

describe('/expire', () => {
  it('reads durations in s, m, h and d (bare numbers are seconds)', () => {
    expect(['30s', '5m', '2h', '1d', '45'].map(parseDuration)).toEqual([
      30_000, 300_000, 7_200_000, 86_400_000, 45_000,
    ]);
    expect(['', '0s', '-1m', '1w', '1.5h'].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(durationText(90_000)).toBe('1m 30s');
    expect(durationText(86_400_000 + 3_600_000)).toBe('1d 1h');
  });

  it('parses a duration, off, or nothing (show), and refuses the rest', () => {
    expect(parseLine('/expire 10m')).toEqual({
      ok: true,
      command: { kind: 'expire', ms: 600_000, off: false },
    });
    expect(parseLine('/expire off')).toEqual({
      ok: true,
      command: { kind: 'expire', ms: undefined, off: true },
    });
    expect(parseLine('/expire')).toEqual({
      ok: true,
      command: { kind: 'expire', ms: undefined, off: false },
    });
    expect(parseLine('/expire soon')).toMatchObject({ ok: false });
    expect(parseLine('/expire 1m 2m')).toMatchObject({ ok: false });
  });
});
