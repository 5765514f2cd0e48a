import type { KithApp } from '../app/kith-app.ts';
import { searchRooms } from '../app/search.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type SearchCommand = Extract<Command, { readonly kind: 'search' }>;

/** The composer's table entry of /search. */
export const searchSpec = {
  usage: '/search <text>',
  summary: 'find messages with this text (any case) in all your rooms, newest first',
  parse: (_w: readonly string[], rest: string): Command | string =>
    rest.trim() === '' ? 'give the text to look for' : { kind: 'search', text: rest.trim() },
};

/** /search: matches in every room, one line each (room, date and time, sender, text). */
export function runSearchCommand(app: KithApp, command: SearchCommand): Outcome {
  const hits = searchRooms(app, command.text);
  const labels = new Map(app.rooms().map((r) => [r.roomId, roomLabel(r, app)]));
  const lines =
    hits.length === 0
      ? [`Nothing found for "${command.text}".`]
      : hits.map(
          (h) =>
            `${labels.get(h.roomId) ?? h.roomName} · ${when(h.ts)} · ${h.senderName}: ${h.text}`,
        );
  return { panel: { title: `Search: ${command.text} (${hits.length})`, lines } };
}

function roomLabel(room: ReturnType<KithApp['rooms']>[number], app: KithApp): string {
  if (room.name !== '') return room.name;
  const others = room.members.filter((m) => m.userId !== app.node.userId);
  const names = others.map((m) => m.displayName).join(', ');
  return room.dm ? `DM with ${names}` : names || '(unnamed room)';
}

/** Local date and time, YYYY-MM-DD HH:MM. */
function when(ts: number): string {
  const d = new Date(ts);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
