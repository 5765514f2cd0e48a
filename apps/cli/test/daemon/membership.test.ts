import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView, RoomView, Whoami } from '../../src/app/views.ts';
import { Daemon } from '../../src/demo/daemon-process.ts';
import { DemoRelay } from '../../src/demo/relay-process.ts';

describe('kick, ban, unban and leave across daemons, each with its role check', () => {
  let relay: DemoRelay;
  let ana: Daemon;
  let ben: Daemon;
  let cai: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';

  const room = async (d: Daemon): Promise<RoomView | undefined> =>
    (await d.call<RoomView[]>('rooms')).find((r) => r.roomId === roomId);
  const members = async (d: Daemon): Promise<string[]> =>
    ((await room(d))?.members ?? []).map((m) => m.displayName).sort();
  const texts = async (d: Daemon): Promise<string[]> =>
    (await d.call<MessageView[]>('messages', { roomId })).map((m) => m.text);
  const id = (name: string): string => me[name]?.userId ?? '';

  beforeAll(async () => {
    relay = await DemoRelay.start();
    const relays = [relay.address];
    [ana, ben, cai] = await Promise.all([
      Daemon.start('ana', undefined, relays),
      Daemon.start('ben', undefined, relays),
      Daemon.start('cai', undefined, relays),
    ]);
    me = {};
    for (const d of [ana, ben, cai]) me[d.name] = await d.call<Whoami>('whoami');
    for (const d of [ben, cai]) {
      await ana.call('addContact', { link: me[d.name]?.contactLink });
      await d.call('addContact', { link: me['ana']?.contactLink });
    }
    ({ roomId } = await ana.call<{ roomId: string }>('createRoom', {
      name: 'club',
      members: [id('ben'), id('cai')],
    }));
    for (const d of [ben, cai]) await d.until('joining', async () => (await room(d)) !== undefined);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([ana, ben, cai].map((d) => d.remove()));
    await relay.stop();
  });

  it('a moderator kicks a member but may not ban', async () => {
    await ana.call('setRole', { roomId, userId: id('ben'), role: 'moderator' });
    await ben.until('being a moderator', async () =>
      ((await room(ben))?.members ?? []).some(
        (m) => m.userId === id('ben') && m.role === 'moderator',
      ),
    );
    const ban = await ben.rpc('ban', { roomId, userId: id('cai') });
    expect(ban.error).toMatchObject({ code: 1003, data: { kithCode: 'NOT_ALLOWED' } });
    await ben.call('remove', { roomId, userId: id('cai') });
    await cai.until('being kicked', async () => (await room(cai))?.active === false);
    await ana.until('cai gone', async () => !(await members(ana)).includes('cai'));
  });

  it('a banned user cannot be invited back until unbanned, then joins again', async () => {
    await ana.call('ban', { roomId, userId: id('cai') });
    const invite = await ana.rpc('invite', { roomId, userId: id('cai') });
    expect(invite.error).toMatchObject({ code: 1003, data: { kithCode: 'BANNED' } });
    const unbanByModerator = await ben.rpc('unban', { roomId, userId: id('cai') });
    expect(unbanByModerator.error).toMatchObject({ code: 1003 });

    await ana.call('unban', { roomId, userId: id('cai') });
    await ana.call('invite', { roomId, userId: id('cai') });
    await cai.until('joining again', async () => (await room(cai))?.active === true);
    await ana.call('send', { roomId, text: 'welcome back, cai' });
    await cai.until('the welcome back', async () =>
      (await texts(cai)).includes('welcome back, cai'),
    );
  });

  it('a member who leaves is gone for everyone and reads nothing after', async () => {
    await cai.call('leave', { roomId });
    await cai.until('having left', async () => (await room(cai))?.active === false);
    await ana.until('cai gone again', async () => !(await members(ana)).includes('cai'));
    await ana.call('send', { roomId, text: 'just us now' });
    await ben.until('ana’s message', async () => (await texts(ben)).includes('just us now'));
    expect(await texts(cai)).not.toContain('just us now');
    expect(await members(ben)).toEqual(['ana', 'ben']);
  });
});
