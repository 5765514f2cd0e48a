import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KithApp } from '../../src/app/kith-app.ts';
import type { Whoami } from '../../src/app/views.ts';
import { callDaemon } from '../../src/rpc/rpc-client.ts';
import { PtyChat } from './pty-chat.ts';

const NETWORK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Ana's chat runs in a graphical session (DISPLAY set) with a `notify-send` on PATH that
 * writes down what it was asked to show; Ben is a device in this process.
 */
describe('notifications from the chat', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('uses notify-send for DMs and mentions, and keeps /mute and /notify off between runs', async () => {
    const base = await mkdtemp(join(tmpdir(), 'kith-tui-notify-'));
    cleanup.push(() => rm(base, { recursive: true, force: true }));
    const bin = join(base, 'bin');
    const shown = join(base, 'notified.txt');
    await mkdir(bin);
    await writeFile(join(bin, 'notify-send'), `#!/bin/sh\necho "$*" >> '${shown}'\n`);
    await chmod(join(bin, 'notify-send'), 0o755);
    await writeFile(shown, '');
    const env = { PATH: `${bin}:${process.env['PATH'] ?? ''}`, DISPLAY: ':99' };
    const notified = async (): Promise<string[]> =>
      (await readFile(shown, 'utf8')).split('\n').filter((l) => l !== '');
    /** What notify-send was asked to show, once it has been asked `count` times. */
    const nth = (count: number): Promise<string[]> =>
      new Promise((resolve, reject) => {
        const watcher = watch(shown);
        const timer = setTimeout(() => {
          watcher.close();
          reject(new Error(`notify-send did not run ${count} times`));
        }, 30_000);
        const check = (): void => {
          void notified().then((lines) => {
            if (lines.length < count) return;
            clearTimeout(timer);
            watcher.close();
            resolve(lines);
          });
        };
        watcher.on('change', check);
        check();
      });
    const anaDir = join(base, 'ana');
    const start = async (): Promise<PtyChat> => {
      const chat = PtyChat.start({
        args: ['--data-dir', anaDir, '--name', 'ana', ...NETWORK],
        env,
      });
      cleanup.push(() => {
        chat.dispose();
        return Promise.resolve();
      });
      await chat.waitFor(
        'the chat',
        () => chat.onAlternateScreen && chat.screen().includes(' ana · '),
      );
      return chat;
    };
    let chat = await start();
    const ben = await KithApp.open({
      dataDir: join(base, 'ben'),
      displayName: 'ben',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    cleanup.push(() => ben.close());
    const ana = (await callDaemon(anaDir, 'whoami', {})) as Whoami;
    await ben.node.addContact(ana.contactLink);
    await callDaemon(anaDir, 'addContact', { link: ben.whoami().contactLink });

    // A DM notifies through notify-send (markup escaped), with the bell, and no OSC 777.
    const { roomId: dm } = await ben.createDm(ana.userId);
    const bells = chat.bells;
    await ben.send(dm, 'psst <b>here</b>');
    await chat.waitFor('the notification', () => chat.bells > bells);
    await chat.waitForText('ben: psst <b>here</b>');
    expect(await nth(1)).toEqual(['--app-name=Kith -- Kith ben: psst &lt;b&gt;here&lt;/b&gt;']);
    expect(chat.notifications).toEqual([]);

    // Muted: a message there shows, and nothing rings.
    chat.type('/mute\r');
    await chat.waitForText('this room is muted');
    const quiet = chat.bells;
    await ben.send(dm, 'quiet now');
    await chat.waitForText('ben: quiet now');
    expect(chat.bells).toBe(quiet);

    // A mention elsewhere still notifies; with /notify off, nothing does.
    const team = await ben.createRoom({ name: 'team', members: [ana.userId] });
    await chat.waitForText(/ \d team /);
    await ben.send(team, '@ana lunch?', { markdown: true });
    await chat.waitForText('ben mentioned you in team');
    await chat.waitFor('the mention notified', () => chat.bells > quiet);
    chat.type('/notify off\r');
    await chat.waitForText('notifications off');
    const off = chat.bells;
    await ben.send(team, '@ana hello?', { markdown: true });
    await chat.waitForText(/ \d team +@2/);
    expect(chat.bells).toBe(off);
    expect((await nth(2)).slice(1)).toEqual(['--app-name=Kith -- Kith ben mentioned you in team']);
    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);

    // The next run keeps both settings.
    chat = await start();
    chat.type('/notify on\r');
    await chat.waitForText('notifications on (notify-send and bell)');
    chat.type(`/room ${dmNumber(chat)}\r`);
    await chat.waitForText(/kith · DM with ben/);
    chat.type('/notify\r');
    await chat.waitForText('this room is muted');
    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);
    expect(await notified()).toHaveLength(2);
  });
});

/** The DM's number in the rooms list on screen. */
function dmNumber(chat: PtyChat): string {
  const row = chat.rows().find((r) => r.includes(' DM with ben'));
  return /^\s*(\d+)/.exec(row ?? '')?.[1] ?? '0';
}
