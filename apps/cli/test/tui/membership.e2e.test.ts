import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KithApp } from '../../src/app/kith-app.ts';
import type { Whoami } from '../../src/app/views.ts';
import { callDaemon } from '../../src/rpc/rpc-client.ts';
import { PtyChat, until } from './pty-chat.ts';

const NETWORK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Cai in the chat, Ana and Ben devices in this process: a member who leaves and one who is
 * removed read differently, on Cai's screen and on theirs.
 */
describe('leaving and being removed, in the chat', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  const app = async (name: string): Promise<KithApp> => {
    const dir = await mkdtemp(join(tmpdir(), `kith-tui-${name}-`));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const opened = await KithApp.open({
      dataDir: dir,
      displayName: name,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
    cleanup.push(() => opened.close());
    return opened;
  };

  it('says "ben left" and "ana removed you", marks the room, and opens another at the next start', async () => {
    const caiDir = await mkdtemp(join(tmpdir(), 'kith-tui-cai-'));
    cleanup.push(() => rm(caiDir, { recursive: true, force: true }));
    const start = async (): Promise<PtyChat> => {
      const chat = PtyChat.start({ args: ['--data-dir', caiDir, '--name', 'cai', ...NETWORK] });
      cleanup.push(() => {
        chat.dispose();
        return Promise.resolve();
      });
      await chat.waitFor('the chat', () => chat.onAlternateScreen && chat.screen().includes('cai'));
      return chat;
    };
    let chat = await start();
    const [ana, ben] = [await app('ana'), await app('ben')];

    // Contacts both ways (Cai's through the chat's JSON-RPC), then two rooms.
    const cai = (await callDaemon(caiDir, 'whoami', {})) as Whoami;
    for (const other of [ana, ben]) {
      await other.node.addContact(cai.contactLink);
      await callDaemon(caiDir, 'addContact', { link: other.whoami().contactLink });
    }
    await ana.node.addContact(ben.whoami().contactLink);
    await ben.node.addContact(ana.whoami().contactLink);
    const club = await ana.createRoom({ name: 'club', members: [ben.node.userId, cai.userId] });
    await chat.waitForText('kith · club');
    await until(ben, 'ben in the room', () => ben.rooms().some((r) => r.active));
    await ana.createRoom({ name: 'lunch', members: [cai.userId] });
    await chat.waitForText(/ 2 lunch/);

    // Ben leaves: a device of Ana's commits his proposal, but he left; nobody removed him.
    await ben.leave(club);
    await chat.waitForText('· ben left');
    await until(ben, 'ben out', () => !ben.room(club).active);
    expect(ben.room(club).departure).toBe('left');

    await ana.remove(club, cai.userId);
    await chat.waitForText('· ana removed you');
    await chat.waitForText(/ 1 club \(removed\)/);
    expect(ana.log.lines(club).map((l) => l.text)).toContain('you removed cai');
    expect(chat.screen()).not.toContain('no longer in');
    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);

    // Shown last, but Cai is out of it: the chat opens a room Cai is still in.
    chat = await start();
    await chat.waitForText('kith · lunch');
    expect(chat.screen()).toMatch(/ 1 club \(removed\)/);
    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);
  });
});
