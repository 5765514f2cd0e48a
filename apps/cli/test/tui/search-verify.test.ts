import { encode } from 'uqr';
import { describe, expect, it } from 'vitest';
import { qrRows, type SafetyView } from '../../src/app/verify.ts';
import { parseLine } from '../../src/tui/commands.ts';
import { safetyLines } from '../../src/tui/verify-command.ts';

describe('/search and /verify in the chat', () => {
  it('parses /search with its text, and /verify with a contact and yes or no', () => {
    expect(parseLine('/search  Lunch at noon ')).toEqual({
      ok: true,
      command: { kind: 'search', text: 'Lunch at noon' },
    });
    expect(parseLine('/search')).toMatchObject({ ok: false });
    expect(parseLine('/verify ben')).toEqual({
      ok: true,
      command: { kind: 'verify', user: 'ben', mark: undefined },
    });
    expect(parseLine('/verify "ben b" yes')).toMatchObject({
      ok: true,
      command: { user: 'ben b', mark: true },
    });
    expect(parseLine('/verify ben no')).toMatchObject({ ok: true, command: { mark: false } });
    expect(parseLine('/verify ben maybe')).toMatchObject({ ok: false });
    expect(parseLine('/verify')).toMatchObject({ ok: false });
  });

  it('draws the QR code two modules a row, light modules drawn (dark on a dark terminal)', () => {
    const text = '123456789012345678901234567890123456789012345678901234567890';
    const modules = encode(text, { ecc: 'M', border: 2 }).data;
    const rows = qrRows(text);
    expect(rows).toHaveLength(Math.ceil(modules.length / 2));
    // Read the modules back from the blocks: a drawn half is a light module.
    const back: boolean[][] = [];
    for (const row of rows) {
      const chars = Array.from(row);
      back.push(chars.map((c) => c !== '█' && c !== '▀'));
      back.push(chars.map((c) => c !== '█' && c !== '▄'));
    }
    expect(back.slice(0, modules.length)).toEqual(modules);
  });

  it('shows the number in three rows of four groups, the code, and where verification stands', () => {
    const view: SafetyView = {
      userId: 'u1' as SafetyView['userId'],
      displayName: 'ben b',
      safetyNumber: Array.from({ length: 12 }, (_, i) => String(10000 + i)).join(' '),
      qr: ['█▀█', '▀▀▀'],
      verified: false,
      verifiedAt: null,
      devicesChanged: false,
    };
    const lines = safetyLines(view);
    expect(lines.slice(0, 3)).toEqual([
      '10000 10001 10002 10003',
      '10004 10005 10006 10007',
      '10008 10009 10010 10011',
    ]);
    expect(lines).toContain('█▀█');
    expect(lines.at(-1)).toContain('/verify "ben b" yes');
    const later = safetyLines({ ...view, verified: true, verifiedAt: 0, devicesChanged: true });
    expect(later.at(-1)).toContain('devices changed');
  });
});
