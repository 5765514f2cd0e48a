import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';
import type { Notifier } from './notifier.ts';

export type NotifyCommand = Extract<Command, { readonly kind: 'notify' | 'mute' }>;

/** The composer's table entries of /notify, /mute and /unmute. */
export const notifySpecs = {
  notify: {
    usage: '/notify [on|off]',
    summary: 'notifications for mentions and DMs: say how they stand, or turn them on or off',
    parse: (w: readonly string[]): Command | string => {
      if (w.length === 0) return { kind: 'notify', on: undefined };
      if (w.length === 1 && (w[0] === 'on' || w[0] === 'off')) {
        return { kind: 'notify', on: w[0] === 'on' };
      }
      return 'on or off';
    },
  },
  mute: {
    usage: '/mute',
    summary: 'no notifications from this room',
    parse: (): Command => ({ kind: 'mute', muted: true }),
  },
  unmute: {
    usage: '/unmute',
    summary: 'notifications from this room again',
    parse: (): Command => ({ kind: 'mute', muted: false }),
  },
};

/** /notify, /mute and /unmute: settings of this chat, kept in its data directory. */
export function runNotifyCommand(
  notifier: Notifier | undefined,
  roomId: string | undefined,
  command: NotifyCommand,
): Outcome {
  if (notifier === undefined) throw new Error('this chat cannot notify');
  const settings = notifier.settings;
  if (command.kind === 'notify') {
    if (command.on !== undefined) settings.setEnabled(command.on);
  } else {
    if (roomId === undefined) throw new Error('open a room first');
    settings.setMuted(roomId, command.muted);
  }
  return { notice: { kind: 'info', text: notifier.describe(roomId) } };
}
