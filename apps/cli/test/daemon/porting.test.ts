import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupLimits, matrixToMimi, sealBackup, webRandom } from '@kith/core';
import type { RelayProcess } from '@kith/relay/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomView, Whoami } from '../../src/app/views.ts';
import { Daemon, runKith } from '../../src/demo/daemon-process.ts';
import { createRoomWith, exchangeContacts, removeAll, startDaemons, textsOf } from './cast.ts';

const PASSPHRASE = 'correct horse battery staple';

/** A whole-account Telegram export of two chats, in the current layout. */
function telegramAccount() {
  const message = (id: number, text: string, extra: object = {}) => ({
    id,
    type: 'message',
    date: '2021-01-01T10:00:00',
    date_unixtime: String(1_609_495_200 + id),
    from: 'Tom',
    from_id: 'user7',
    text,
    text_entities: [{ type: 'plain', text }],
    ...extra,
  });
  return {
    chats: {
      list: [
        {
          name: 'Family',
          type: 'private_group',
          id: 1,
          messages: [message(1, 'hi all'), message(2, 'yes', { reply_to_message_id: 1 })],
        },
        { name: 'Work', type: 'personal_chat', id: 2, messages: [message(1, 'meeting at 10')] },
      ],
    },
  };
}

describe('porting across real daemons: Telegram import, Matrix export, backup and restore', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let restored: Daemon | undefined;
  let me: Record<string, Whoami> = {};
  let dir = '';
  let roomId = '';

  beforeAll(async () => {
    ({
      relay,
      daemons: [ana, ben],
      me,
    } = await startDaemons(['ana', 'ben'] as const));
    await exchangeContacts(me, ana, [ben]);
    dir = await mkdtemp(join(tmpdir(), 'kith-porting-'));
    roomId = await createRoomWith(me, ana, 'ours', [ben]);
    await ana.call('send', { roomId, text: 'before the loss' });
    await ben.until('ana’s message', async () => (await textsOf(ben, roomId)).length === 1);
    await ben.call('send', { roomId, text: 'an answer' });
    await ana.until('ben’s answer', async () => (await textsOf(ana, roomId)).length === 2);
  }, 60_000);
  afterAll(async () => {
    delete process.env['KITH_BACKUP_PASSPHRASE'];
    await removeAll(relay, [ana, ben, ...(restored === undefined ? [] : [restored])]);
    await rm(dir, { recursive: true, force: true });
  });

  it('kith import --format telegram makes a room per chat; a file of another kind is refused', async () => {
    const file = join(dir, 'result.json');
    await writeFile(file, JSON.stringify(telegramAccount()));
    const run = await runKith(['--data-dir', ana.dataDir, 'import', file, '--format', 'telegram']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(
      /^imported 2 chats:\n {2}\S+ Family: 2 messages\n {2}\S+ Work: 1 messages\nimported 3 messages into 2 rooms\n$/,
    );
    const rooms = await ana.call<RoomView[]>('rooms');
    const family = rooms.find((r) => r.name === 'Family');
    expect(await textsOf(ana, family?.roomId ?? '')).toEqual(['hi all', 'yes']);

    await writeFile(join(dir, 'matrix.json'), JSON.stringify({ messages: [] }));
    const refused = await ana.rpc('importHistory', {
      path: join(dir, 'matrix.json'),
      format: 'telegram',
    });
    expect(refused.error).toMatchObject({
      code: -32602,
      data: { kithCode: 'EXPORT_NOT_TELEGRAM' },
    });
    expect(await ana.call<RoomView[]>('rooms')).toHaveLength(rooms.length);
  });

  it('kith export --format matrix writes Element’s JSON, which the Matrix import reads', async () => {
    const file = join(dir, 'ours.matrix.json');
    const run = await runKith([
      '--data-dir',
      ana.dataDir,
      'export',
      roomId,
      file,
      '--format',
      'matrix',
    ]);
    expect(run.stdout).toBe(`exported 4 Matrix events to ${file}\n`);
    const json = JSON.parse(await readFile(file, 'utf8')) as { room_name: string };
    expect(json.room_name).toBe('ours');
    const plan = matrixToMimi(json);
    expect(plan.items.map((i) => i.kind)).toEqual(['message', 'message']);
    expect(plan.skipped).toEqual({ state: 2 }); // the members' names
  });

  it('a backup that opens but holds a broken history restores nothing', async () => {
    const file = join(dir, 'hostile.kithbackup');
    const body = {
      createdAt: 0,
      userSecretKey: new Uint8Array(32).fill(1),
      deviceName: 'x',
      contacts: [],
      settings: [],
      rooms: [{ roomId: 'r', name: 'r', history: 'not an export\n' }],
    };
    await writeFile(file, await sealBackup(body, PASSPHRASE, webRandom, BackupLimits.minKdf));
    const fresh = await mkdtemp(join(tmpdir(), 'kith-hostile-'));
    process.env['KITH_BACKUP_PASSPHRASE'] = PASSPHRASE;
    const run = await runKith(['--data-dir', fresh, 'restore', file]);
    expect([run.code, run.stderr]).toEqual([
      1,
      expect.stringContaining('not a JSON line') as string,
    ]);
    // The device it began to make is gone again: the directory takes a real restore.
    await expect(access(join(fresh, 'db'))).rejects.toThrow();
    await rm(fresh, { recursive: true, force: true });
  });

  it('kith backup, then kith restore on a fresh directory brings the same user back', async () => {
    const file = join(dir, 'ana.kithbackup');
    process.env['KITH_BACKUP_PASSPHRASE'] = PASSPHRASE;
    const backup = await runKith(['--data-dir', ana.dataDir, 'backup', file]);
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(/^backed up 3 rooms and 1 contacts to /);
    await ana.stop(); // the only device is gone

    const fresh = await mkdtemp(join(tmpdir(), 'kith-restored-'));
    process.env['KITH_BACKUP_PASSPHRASE'] = 'not the passphrase';
    const wrong = await runKith(['--data-dir', fresh, 'restore', file]);
    expect([wrong.code, wrong.stderr]).toEqual([
      1,
      expect.stringContaining('wrong passphrase') as string,
    ]);
    // Nothing was created: the directory takes a restore still.
    await expect(access(join(fresh, 'db'))).rejects.toThrow();
    const damaged = join(dir, 'damaged.kithbackup');
    const bytes = await readFile(file);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 1;
    await writeFile(damaged, bytes);
    process.env['KITH_BACKUP_PASSPHRASE'] = PASSPHRASE;
    expect((await runKith(['--data-dir', fresh, 'restore', damaged])).code).toBe(1);
    await expect(access(join(fresh, 'db'))).rejects.toThrow();

    const run = await runKith(['--data-dir', fresh, 'restore', file]);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`restored user ${me['ana']?.userId} on a new device`);
    restored = await Daemon.start('ana-restored', fresh, [relay.tcpAddress]);
    const who = await restored.call<Whoami>('whoami');
    expect(who.userId).toBe(me['ana']?.userId);
    expect(who.deviceId).not.toBe(me['ana']?.deviceId);
    expect(who.displayName).toBe('ana');
    const contacts = await restored.call<{ userId: string }[]>('contacts');
    expect(contacts.map((c) => c.userId)).toEqual([me['ben']?.userId]);
    const rooms = await restored.call<RoomView[]>('rooms');
    const ours = rooms.find((r) => r.name === 'ours');
    expect(await textsOf(restored, ours?.roomId ?? '')).toEqual(['before the loss', 'an answer']);
    // Back in the old room once a fellow member adds the new device (from its new link).
    await ben.call('addContact', { link: who.contactLink });
    await ben.call('invite', { roomId, userId: who.userId });
    const back = restored;
    await back.until('rejoining the old room', async () =>
      (await back.call<RoomView[]>('rooms')).some((r) => r.roomId === roomId),
    );
    await back.call('send', { roomId, text: 'back again' });
    await ben.until('the restored device’s message', async () =>
      (await textsOf(ben, roomId)).includes('back again'),
    );
    // A restore needs a fresh directory: a second one is refused.
    const again = await runKith(['--data-dir', fresh, 'restore', file]);
    expect(again.code).toBe(2);
  });
});
