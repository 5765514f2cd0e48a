import { fileLine } from '../app/file-view.ts';
import type { MessageView, RoomView, Whoami } from '../app/views.ts';

/** A daemon result as a person reads it on a terminal (`--json` gives the raw JSON). */
export function formatResult(method: string, result: unknown): string {
  switch (method) {
    case 'whoami': {
      const w = result as Whoami;
      return [
        `name:     ${w.displayName || '(none: set one with kith setProfile --displayName NAME)'}`,
        `user:     ${w.userId}`,
        `device:   ${w.deviceId}`,
        ...w.addresses.map((a) => `address:  ${a}`),
        `contact link (share it to be added):`,
        w.contactLink,
        '',
      ].join('\n');
    }
    case 'rooms':
      return (result as RoomView[])
        .map((r) => {
          const unread = r.unread > 0 ? ` (${r.unread} unread)` : '';
          const members = r.members.map((m) => `${m.displayName} [${m.role}]`).join(', ');
          const kind = r.dm ? 'DM' : r.name || '(unnamed room)';
          return `${r.roomId}  ${kind}${unread}${r.active ? '' : ` (${r.departure ?? 'not a member'})`}\n    ${members}\n`;
        })
        .join('');
    case 'messages':
      return (result as MessageView[])
        .map((m) => {
          const time = new Date(m.ts).toISOString().slice(11, 16);
          const file = m.file === undefined || m.retracted ? '' : ` ${fileLine(m.file)}`;
          const text = m.retracted ? '(retracted)' : m.text + (m.edited ? ' (edited)' : '') + file;
          const reactions = Object.entries(m.reactions)
            .map(([emoji, users]) => `${emoji}${users.length}`)
            .join(' ');
          return `${time} ${m.senderName}: ${text}${reactions === '' ? '' : `  ${reactions}`}  [${m.messageId.slice(0, 8)}]\n`;
        })
        .join('');
    default:
      if (typeof result === 'object' && result !== null && 'ok' in result) return 'ok\n';
      return `${JSON.stringify(result, null, 2)}\n`;
  }
}
