import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oggOpus } from '@kith/core/testing';
import { PortableImageCodec } from '@kith/node';
import type { MessageView, Whoami } from '../../src/app/views.ts';
import type { Daemon } from '../../src/demo/daemon-process.ts';
import type { RelayProcess } from '@kith/relay/process';
import {
  createRoomWith,
  exchangeContacts,
  messagesOf,
  removeAll,
  roomOf,
  startDaemons,
} from './cast.ts';

/** A 600 × 400 picture with some texture, as a PNG. */
function png(): Uint8Array {
  const width = 600;
  const height = 400;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data.set([i % 251, (i >> 3) % 253, (i * 7) % 255, 255], i * 4);
  }
  return new PortableImageCodec().encodePng({ width, height, data });
}

describe('files between daemons: sendFile, downloadFile, previews', () => {
  let relay: RelayProcess;
  let ana: Daemon;
  let ben: Daemon;
  let me: Record<string, Whoami> = {};
  let roomId = '';
  let dir = '';

  beforeAll(async () => {
    const cast = await startDaemons(['ana', 'ben']);
    ({ relay, me } = cast);
    [ana, ben] = cast.daemons;
    await exchangeContacts(me, ana, [ben]);
    roomId = await createRoomWith(me, ana, 'files', [ben]);
    dir = await mkdtemp(join(tmpdir(), 'kith-files-'));
  }, 90_000);
  afterAll(async () => {
    await removeAll(relay, [ana, ben]);
    await rm(dir, { recursive: true, force: true });
  });

  const fileMessage = async (d: Daemon, messageId: string): Promise<MessageView | undefined> =>
    (await messagesOf(d, roomId)).find((m) => m.messageId === messageId && m.file !== undefined);

  it('a picture arrives with its thumbnail, and downloads intact under a safe name', async () => {
    const bytes = png();
    const path = join(dir, 'view.png');
    await writeFile(path, bytes);
    const sent = await ana.call<{ messageId: string; type: string; preview: string }>('sendFile', {
      roomId,
      path,
      caption: 'the view',
      // A sender picking the name cannot pick where it lands.
      filename: '../../escape.png',
    });
    expect(sent.type).toBe('image/png');
    expect(sent.preview).toMatch(/^thumbnail 160×107/);
    await ben.until(
      'the file message',
      async () => (await fileMessage(ben, sent.messageId)) !== undefined,
    );
    const shown = await fileMessage(ben, sent.messageId);
    expect(shown?.text).toBe('the view');
    expect(shown?.file).toMatchObject({
      name: '../../escape.png',
      size: bytes.length,
      type: 'image/png',
      voice: false,
      width: 600,
      height: 400,
      thumbnail: { type: 'image/jpeg', width: 160, height: 107 },
    });
    expect(shown?.file?.previewError).toBeUndefined();
    const into = join(dir, 'ben');
    const saved = await ben.call<{ path: string; bytes: number; type: string }>('downloadFile', {
      roomId,
      messageId: sent.messageId,
      path: `${into}/`,
    });
    expect(saved).toEqual({
      path: join(into, 'escape.png'),
      bytes: bytes.length,
      type: 'image/png',
    });
    expect(Buffer.compare(await readFile(saved.path), bytes)).toBe(0);
    // Again: a new name, nothing overwritten.
    const again = await ben.call<{ path: string }>('downloadFile', {
      roomId,
      messageId: sent.messageId,
      path: `${into}/`,
    });
    expect(again.path).toBe(join(into, 'escape (1).png'));

    // The same picture as the room's avatar: a blob reference every member sees.
    const { avatar } = await ana.call<{ avatar: string }>('setAvatar', { path, roomId });
    expect(avatar).toMatch(/^ni:\/\/\/sha-256;[\w-]{43}\?rs=\d+&s=\d+&t=jpeg&k=/);
    await ben.until('the room avatar', async () => (await roomOf(ben, roomId))?.avatar === avatar);
  });

  it('a voice message shows its duration and waveform; errors are typed', async () => {
    const path = join(dir, 'note.ogg');
    await writeFile(path, oggOpus(Array.from({ length: 600 }, (_, i) => (i < 300 ? 5 : 90))));
    const sent = await ana.call<{ messageId: string; preview: string }>('sendFile', {
      roomId,
      path,
      voice: true,
    });
    expect(sent.preview).toBe('voice 0:12');
    await ben.until(
      'the voice message',
      async () => (await fileMessage(ben, sent.messageId)) !== undefined,
    );
    const shown = await fileMessage(ben, sent.messageId);
    expect(shown?.file).toMatchObject({
      voice: true,
      durationMs: 12_000,
      type: 'audio/ogg; codecs=opus',
    });
    expect(shown?.file?.waveform?.length).toBe(64);
    expect(shown?.text).toBe('');

    const notVoice = await ana.rpc('sendFile', {
      roomId,
      path: join(dir, 'view.png'),
      voice: true,
    });
    expect(notVoice.error).toMatchObject({ code: 1011, data: { kithCode: 'MEDIA_TYPE_MISMATCH' } });
    const missing = await ana.rpc('sendFile', { roomId, path: join(dir, 'nothing-here') });
    expect(missing.error?.code).toBe(-32602);
    const { messageId } = await ana.call<{ messageId: string }>('send', { roomId, text: 'plain' });
    const noFile = await ana.rpc('downloadFile', { roomId, messageId });
    expect(noFile.error).toMatchObject({ code: 1011, data: { kithCode: 'BLOB_NOT_KITH_BLOB' } });
    expect(await ana.call('transfers')).toEqual([]);
  });
});
