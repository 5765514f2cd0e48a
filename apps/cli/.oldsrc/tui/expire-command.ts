import type { KithApp } from '../app/kith-app.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type ExpireCommand = Extract<Command, { readonly kind: 'expire' }>;

const UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `5m`, `2h`, `1d` (a bare number is seconds) in milliseconds; undefined if unreadable. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim().toLowerCase());
  if (m === null) return undefined;
  const ms = Number(m[1]) * (UNITS[m[2] ?? ''] ?? 1000);
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** `90000` as `1m 30s`, for notices. */
export function durationText(ms: number): string {
  const parts: string[] = [];
  let rest = Math.ceil(ms / 1000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.join(' ');
}

/** The composer's table entry of /expire. */
export const expireSpec = {
  usage: '/expire [<duration>|off]',
  summary: 'your next messages here disappear from every device after 30s, 5m, 2h, 1d…',
  parse: (w: readonly string[]): Command | string => {
    if (w.length === 0) return { kind: 'expire', ms: undefined, off: false };
    if (w.length > 1) return 'give one duration';
    if (w[0] === 'off') return { kind: 'expire', ms: undefined, off: true };
    const ms = parseDuration(w[0] ?? '');
    return ms === undefined
      ? 'give a duration like 30s, 5m, 2h or 1d'
      : { kind: 'expire', ms, off: false };
  },
};

/** /expire: this device's disappearing time for what it sends in the room on screen. */
export async function runExpireCommand(
  app: KithApp,
  roomId: string,
  command: ExpireCommand,
): Promise<Outcome> {
  if (command.off) await app.setDefaultExpiry(roomId, undefined);
  else if (command.ms !== undefined) await app.setDefaultExpiry(roomId, command.ms);
  const ms = app.defaultExpiry(roomId);
  const text =
    ms === undefined
      ? 'your messages here do not disappear (/expire 1h to change)'
      : `your messages here disappear ${durationText(ms)} after sending (/expire off to stop)`;
  return { notice: { kind: 'info', text } };
}
