import type { KithApp } from '../app/kith-app.ts';
import type { SignalsView, StatusView } from '../app/signals.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';
import type { MessageItem } from './state.ts';

export type SignalName = 'receipts' | 'typing' | 'presence';
export type SignalCommand = Extract<Command, { readonly kind: 'signal' }>;

/** The composer's table entry of /receipts, /typing and /presence. */
export function signalSpec(signal: SignalName, what: string) {
  return {
    usage: `/${signal} [on|off]`,
    summary: `send ${what} or not (alone: show it); others' still show`,
    parse: (w: readonly string[]): Command | string => {
      if (w.length === 0) return { kind: 'signal', signal, on: undefined };
      if (w.length > 1 || (w[0] !== 'on' && w[0] !== 'off')) return 'give on or off';
      return { kind: 'signal', signal, on: w[0] === 'on' };
    },
  };
}

const WHAT: Readonly<Record<SignalName, string>> = {
  receipts: 'read and delivery receipts',
  typing: 'typing notifications',
  presence: 'your presence (online, away)',
};

/** /receipts, /typing and /presence: this device's switches, in any room. */
export async function runSignalCommand(app: KithApp, command: SignalCommand): Promise<Outcome> {
  let settings = app.signals.settings();
  if (command.on !== undefined) {
    const on = command.on;
    settings = await app.signals.setSettings(
      command.signal === 'receipts'
        ? { readReceipts: on, deliveryReceipts: on }
        : { [command.signal]: on },
    );
  }
  const on = isOn(settings, command.signal);
  const text = `${on ? 'you send' : 'you do not send'} ${WHAT[command.signal]}`;
  return { notice: { kind: 'info', text: `${text} (/${command.signal} ${on ? 'off' : 'on'})` } };
}

function isOn(s: SignalsView, signal: SignalName): boolean {
  if (signal === 'receipts') return s.readReceipts || s.deliveryReceipts;
  return s[signal];
}

/** The status line's words for who is typing, or undefined for nobody. */
export function typingText(names: readonly string[]): string | undefined {
  const [first, second] = names;
  if (first === undefined) return undefined;
  if (names.length === 1) return `${first} is typing…`;
  if (names.length === 2 && second !== undefined) return `${first} and ${second} are typing…`;
  return `${names.length} people are typing…`;
}

/**
 * How far an own message got, as its mark shows it: … sending, ✓ sent, ✓✓ stored on a relay or
 * delivered, "✓✓ read by N". This device's messages carry their delivery state; those of the
 * user's other devices only the receipts every member sees.
 */
export function receiptOf(m: {
  readonly deliveredTo?: number;
  readonly readBy?: number;
  readonly status?: StatusView;
}): Pick<MessageItem, 'receipt' | 'readBy'> {
  if (m.status !== undefined) {
    return m.status.state === 'read'
      ? { receipt: 'read', readBy: m.status.readBy }
      : { receipt: m.status.state };
  }
  if ((m.readBy ?? 0) > 0) return { receipt: 'read', readBy: m.readBy ?? 0 };
  if ((m.deliveredTo ?? 0) > 0) return { receipt: 'delivered' };
  return {};
}
