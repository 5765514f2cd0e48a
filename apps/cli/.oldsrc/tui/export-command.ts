import { resolve } from 'node:path';
import type { KithApp } from '../app/kith-app.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type ExportCommand = Extract<Command, { readonly kind: 'export' }>;

/** The composer's table entry of /export. */
export const exportSpec = {
  usage: '/export <file>',
  summary: "write this room's history to a file (a Kith export: kith import --format kith)",
  parse: (_w: readonly string[], rest: string): Command | string =>
    rest.trim() === '' ? 'give the file to write' : { kind: 'export', path: rest.trim() },
};

/** /export: the room on screen to a file, relative to where the chat was started. */
export async function runExportCommand(
  app: KithApp,
  roomId: string,
  command: ExportCommand,
): Promise<Outcome> {
  const path = resolve(command.path);
  const { messages } = await app.historyPort.exportRoom(roomId, path);
  return { notice: { kind: 'info', text: `exported ${messages} messages to ${path}` } };
}
