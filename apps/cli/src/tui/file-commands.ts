import { spawn } from 'node:child_process';
import { formatSize } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type FileCommand = Extract<
  Command,
  {
    readonly kind: 'sendFile' | 'save' | 'play' | 'transfers' | 'cancelTransfer' | 'avatar';
  }
>;

/** A positive whole number, written `12` or `#12`. */
function numberOf(word: string | undefined): number | undefined {
  const m = /^#?(\d{1,9})$/.exec(word ?? '');
  const n = Number(m?.[1]);
  return m === null || n < 1 ? undefined : n;
}

/** The composer's table entries of the file commands. */
export const fileSpecs = {
  send: {
    usage: '/send <file> [caption]',
    summary: 'send a file, end-to-end encrypted (a picture goes with a thumbnail)',
    parse: (w: readonly string[]): Command | string =>
      w[0] === undefined
        ? 'give the file to send (in quotes if its name has spaces)'
        : { kind: 'sendFile', path: w[0], caption: w.slice(1).join(' '), voice: false },
  },
  voice: {
    usage: '/voice <file.ogg>',
    summary: 'send an Ogg Opus recording as a voice message',
    parse: (w: readonly string[]): Command | string =>
      w[0] === undefined || w.length > 1
        ? 'give one Ogg Opus file'
        : { kind: 'sendFile', path: w[0], caption: '', voice: true },
  },
  save: {
    usage: '/save <n> [path]',
    summary: 'download the file of message n and write it (default: downloads/ in your data)',
    parse: (w: readonly string[]): Command | string => {
      const n = numberOf(w[0]);
      return n === undefined || w.length > 2
        ? 'give the message number, and where to write it if you like'
        : { kind: 'save', n, path: w[1] };
    },
  },
  play: {
    usage: '/play <n>',
    summary: 'download a voice message or audio file and play it (mpv, ffplay, ogg123 or paplay)',
    parse: (w: readonly string[]): Command | string => {
      const n = numberOf(w[0]);
      return n === undefined || w.length > 1 ? 'give the message number' : { kind: 'play', n };
    },
  },
  avatar: {
    usage: '/avatar <picture> [room]',
    summary: 'make a PNG or JPEG your avatar (with "room": this room\'s)',
    parse: (w: readonly string[]): Command | string =>
      w[0] === undefined || w.length > 2 || (w[1] !== undefined && w[1] !== 'room')
        ? 'give the picture, and "room" for the room\'s avatar'
        : { kind: 'avatar', path: w[0], room: w[1] === 'room' },
  },
  transfers: {
    usage: '/transfers',
    summary: 'files being sent or downloaded, with their progress',
    parse: (): Command => ({ kind: 'transfers' }),
  },
  cancel: {
    usage: '/cancel <id>',
    summary: 'stop a transfer (its id is in /transfers)',
    parse: (w: readonly string[]): Command | string => {
      const id = numberOf(w[0]);
      return id === undefined ? 'give the transfer id' : { kind: 'cancelTransfer', id };
    },
  },
};

const info = (text: string): Outcome => ({ notice: { kind: 'info', text } });

/** /send, /voice, /save, /play, /transfers and /cancel in the room on screen. */
export async function runFileCommand(
  app: KithApp,
  roomId: string,
  messageId: (n: number) => string | undefined,
  command: FileCommand,
): Promise<Outcome> {
  switch (command.kind) {
    case 'sendFile': {
      const sent = await app.files.sendFile(roomId, command.path, {
        ...(command.caption === '' ? {} : { caption: command.caption }),
        ...(command.voice ? { voice: true } : {}),
      });
      return info(
        `sent ${command.path} (${formatSize(sent.size)}, ${sent.type}; preview: ${sent.preview})`,
      );
    }
    case 'save':
    case 'play': {
      const id = messageId(command.n);
      if (id === undefined)
        return { notice: { kind: 'error', text: `no message ${command.n} here` } };
      const saved = await app.files.downloadFile(
        roomId,
        id,
        command.kind === 'save' ? command.path : undefined,
      );
      const what = `${saved.path} (${formatSize(saved.bytes)}, ${saved.type})`;
      if (command.kind === 'save') return info(`saved ${what}`);
      if (!saved.type.startsWith('audio/') && !saved.type.startsWith('video/')) {
        return info(`saved ${what}: not audio, so not played`);
      }
      const player = await play(saved.path);
      return info(
        player === undefined
          ? `saved ${what}; no player found (install mpv, ffmpeg, vorbis-tools or pulseaudio-utils)`
          : `playing ${saved.path} with ${player}`,
      );
    }
    case 'transfers': {
      const list = app.files.transfers();
      const lines =
        list.length === 0
          ? ['No file is being sent or downloaded.']
          : list.map((t) => {
              const percent = t.total === 0 ? 100 : Math.floor((t.bytes / t.total) * 100);
              return `  ${t.id}  ${t.kind === 'send' ? 'sending' : 'downloading'} ${t.name}  ${percent}% of ${formatSize(t.total)}`;
            });
      return { panel: { title: 'Transfers', lines: [...lines, '', '/cancel <id> stops one.'] } };
    }
    case 'avatar':
      await app.files.setAvatar(command.path, command.room ? roomId : undefined);
      return info(command.room ? 'the room has a new avatar' : 'you have a new avatar');
    case 'cancelTransfer':
      app.files.cancel(command.id);
      return info(`cancelled transfer ${command.id}`);
  }
}

const PLAYERS: readonly (readonly [string, ...string[]])[] = [
  ['mpv', '--no-video', '--really-quiet'],
  ['ffplay', '-nodisp', '-autoexit', '-loglevel', 'quiet'],
  ['ogg123', '-q'],
  ['paplay'],
];

/** Starts the first installed player on `path`; its name, or undefined when none is. */
async function play(path: string): Promise<string | undefined> {
  for (const [name, ...args] of PLAYERS) {
    const started = await new Promise<boolean>((resolve) => {
      const child = spawn(name, [...args, path], { stdio: 'ignore' });
      child.once('error', () => {
        resolve(false);
      });
      child.once('spawn', () => {
        resolve(true);
      });
    });
    if (started) return name;
  }
  return undefined;
}
