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
 * Ana in the chat, Ben and Cai devices in this process: a member who leaves and one who is
 * removed read differently, on Ana's screen and on theirs.
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

  it('says "ben left" and "you removed cai", and each of them knows how they went', async () => {
    const anaDir = await mkdtemp(join(tmpdir(), 'kith-tui-ana-'));
    cleanup.push(() => rm(anaDir, { recursive: true, force: true }));
    const chat = PtyChat.start({ args: ['--data-dir', anaDir, '--name', 'ana', ...NETWORK] });
    cleanup.push(() => Promise.resolve(chat.dispose()));
    await chat.waitFor('the chat', () => chat.onAlternateScreen && chat.screen().includes('ana'));
    const [ben, cai] = [await app('ben'), await app('cai')];

    // Contacts both ways (through the chat's JSON-RPC), then a room of three.
    const ana = (await callDaemon(anaDir, 'whoami', {})) as Whoami;
    for (const other of [ben, cai]) {
      await other.node.addContact(ana.contactLink);
      await callDaemon(anaDir, 'addContact', { link: other.whoami().contactLink });
    }
    const members = [ben.node.userId, cai.node.userId];
    await callDaemon(anaDir, 'createRoom', { name: 'club', members });
    await chat.waitForText('kith · club');
    await chat.waitForText('· cai joined');
    await until(ben, 'ben in the room', () => ben.rooms().some((r) => r.active));
    await until(cai, 'cai in the room', () => cai.rooms().some((r) => r.active));
    const roomId = ben.rooms()[0]?.roomId ?? '';

    // Ben leaves: Ana's device commits his proposal, but he left; nobody removed him.
    await ben.leave(roomId);
    await chat.waitForText('· ben left');
    await until(ben, 'ben out', () => ben.room(roomId).active === false);
    expect(ben.room(roomId).departure).toBe('left');

    chat.type('/remove cai\r');
    await chat.waitForText('· you removed cai');
    await until(cai, 'cai out', () => cai.room(roomId).active === false);
    expect(cai.log.lines(roomId).map((l) => l.text)).toContain('ana removed you');
    expect(cai.room(roomId).departure).toBe('removed');
    expect(chat.screen()).not.toContain('is no longer in the room');
    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);
  });
});
