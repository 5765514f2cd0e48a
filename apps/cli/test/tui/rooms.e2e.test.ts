import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKith } from '../../src/demo/daemon-process.ts';
import { PtyChat } from './pty-chat.ts';

const NETWORK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];

describe('the rooms list between runs', () => {
  const chats: PtyChat[] = [];
  let dir = '';
  afterAll(async () => {
    for (const chat of chats) chat.dispose();
    await rm(dir, { recursive: true, force: true });
  });
  const open = async (): Promise<PtyChat> => {
    const chat = PtyChat.start({ args: ['--data-dir', dir, '--name', 'fay', ...NETWORK] });
    chats.push(chat);
    await chat.waitFor('the chat', () => chat.onAlternateScreen && chat.screen().includes('fay'));
    return chat;
  };
  const quit = async (chat: PtyChat): Promise<void> => {
    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);
  };
  const create = async (name: string): Promise<string> => {
    const created = await runKith(['--data-dir', dir, 'createRoom', '--name', name, '--json']);
    return (JSON.parse(created.stdout) as { roomId: string }).roomId;
  };

  it('keeps the numbers and reopens the room shown last', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-tui-rooms-'));
    let chat = await open();
    const names = ['zulu', 'mike', 'alpha', 'kilo'];
    for (const name of names) {
      await create(name);
      await chat.waitForText(new RegExp(` ${names.indexOf(name) + 1} ${name} `));
    }
    chat.type('\t\t'); // to the third room
    await chat.waitForText('kith · alpha ');
    await quit(chat);

    chat = await open();
    await chat.waitForText('kith · alpha ');
    names.forEach((name, i) => {
      expect(chat.rows()[i + 1]).toMatch(new RegExp(`^ ${i + 1} ${name} `));
    });
    await quit(chat);
  });
});
