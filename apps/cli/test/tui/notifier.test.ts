import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Notifier, notifyModeOf, type NotifyMode } from '../../src/tui/notifier.ts';
import { NotifySettings } from '../../src/tui/notify-settings.ts';

describe('how the chat notifies', () => {
  it('picks notify-send only in a graphical session that has it; KITH_NOTIFY decides first', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'kith-notify-bin-'));
    try {
      await writeFile(join(bin, 'notify-send'), '#!/bin/sh\n');
      await chmod(join(bin, 'notify-send'), 0o755);
      const empty = join(bin, 'nothing-here');
      expect(notifyModeOf({ PATH: bin, DISPLAY: ':0' })).toEqual({
        mode: 'desktop',
        notifySend: join(bin, 'notify-send'),
      });
      expect(notifyModeOf({ PATH: bin, WAYLAND_DISPLAY: 'wayland-0' }).mode).toBe('desktop');
      // Over ssh (no display) the terminal's own notification reaches the person's desktop.
      expect(notifyModeOf({ PATH: bin })).toEqual({ mode: 'terminal' });
      expect(notifyModeOf({ PATH: empty, DISPLAY: ':0' })).toEqual({ mode: 'terminal' });
      for (const mode of ['off', 'bell', 'terminal'] as const) {
        expect(notifyModeOf({ PATH: bin, DISPLAY: ':0', KITH_NOTIFY: mode })).toEqual({ mode });
      }
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('alerts the way the mode says, unless off or muted, with one clean line', () => {
    const calls: string[] = [];
    const out = {
      bell: () => calls.push('bell'),
      terminalNotification: (title: string, body: string) => calls.push(`osc ${title}: ${body}`),
    };
    const launch = (program: string, args: readonly string[]) =>
      calls.push(`${program} ${args.join(' ')}`);
    const settings = NotifySettings.inMemory();
    const notifier = (mode: NotifyMode) =>
      new Notifier(settings, out, { mode, notifySend: '/bin/notify-send' }, launch);

    expect(notifier('terminal').alert('r1', 'ben: hi\x1b]0;pwned\x07 <x>')).toBe(true);
    expect(notifier('desktop').alert('r1', 'ben: a & <b>')).toBe(true);
    expect(notifier('bell').alert('r1', 'x')).toBe(true);
    expect(notifier('off').alert('r1', 'x')).toBe(false);
    settings.setMuted('r1', true);
    expect(notifier('terminal').alert('r1', 'x')).toBe(false);
    expect(notifier('terminal').alert('r2', 'long '.repeat(100))).toBe(true);
    settings.setEnabled(false);
    expect(notifier('terminal').alert('r2', 'x')).toBe(false);
    expect(calls).toEqual([
      'osc Kith: ben: hi\ufffd]0;pwned\ufffd <x>',
      'bell',
      '/bin/notify-send --app-name=Kith -- Kith ben: a &amp; &lt;b&gt;',
      'bell',
      'bell',
      `osc Kith: ${'long '.repeat(24).slice(0, 119)}…`,
      'bell',
    ]);
    expect(notifier('desktop').describe('r1')).toBe('notifications off; this room is muted');
    settings.setEnabled(true);
    expect(notifier('desktop').describe('r2')).toBe('notifications on (notify-send and bell)');
  });
});
