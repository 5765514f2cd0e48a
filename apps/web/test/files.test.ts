import { describe, expect, it } from 'vitest';
import {
  attachmentBody,
  attachmentPart,
  blobIdOf,
  markdownMessage,
  type MessageId,
  type MimiContent,
  type RoomId,
} from '@kith/core';
import { blobType, displayAs, fileOf, saveName } from '../src/model/file-item.ts';
import { FileTransfers, type BlobsApi } from '../src/model/file-transfers.ts';

describe('a file as the page shows it', () => {
  it('is an image or audio only when sniffing said so, else opaque bytes', () => {
    expect(displayAs('image/png')).toBe('image');
    expect(displayAs('image/webp')).toBe('image');
    expect(displayAs('audio/webm;codecs=opus')).toBe('audio');
    // Types a browser would render as a document or run as script never display.
    for (const type of ['image/svg+xml', 'text/html', 'application/xhtml+xml', 'text/javascript']) {
      expect(displayAs(type)).toBe('file');
      expect(blobType(type)).toBe('application/octet-stream');
    }
    expect(blobType('image/jpeg')).toBe('image/jpeg');
  });

  it('is saved under its last name part, without markup or control characters', () => {
    expect(saveName('../../etc/passwd')).toBe('passwd');
    expect(saveName('C:\\Users\\x\\evil.exe')).toBe('evil.exe');
    expect(saveName('<img src=x onerror=1>.png')).toBe('_img src=x onerror=1_.png');
    expect(saveName('a\u0000b\nc.txt')).toBe('a_b_c.txt');
    expect(saveName('.bashrc')).toBe('bashrc');
    expect(saveName('')).toBe('file');
    expect(saveName('/')).toBe('file');
  });

  it('has its caption apart from the fallback text, and its details as sent', () => {
    const part = attachmentPart(
      {
        id: blobIdOf(new Uint8Array(32).fill(7)),
        size: 3000,
        recordSize: 65536,
        key: new Uint8Array(16),
        nonce: new Uint8Array(12),
      },
      { contentType: 'application/pdf', filename: 'a.pdf' },
    );
    const content = (caption?: string): MimiContent => ({
      ...markdownMessage('', { salt: new Uint8Array(16) }),
      body: attachmentBody(part, caption),
    });
    expect(fileOf(content('see **this**'))).toEqual({
      file: {
        filename: 'a.pdf',
        declaredType: 'application/pdf',
        size: 3000,
        sizeText: '2.9 KB',
        description: '',
      },
      caption: 'see **this**',
    });
    expect(fileOf(content())?.caption).toBe('');
    expect(fileOf(markdownMessage('no file', { salt: new Uint8Array(16) }))).toBeUndefined();
  });
});

/** A device's blobs whose sealing waits, after the first chunk, until `open()`. */
function gatedBlobs(sent: string[]): { blobs: BlobsApi; open: () => void } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((r) => (open = r));
  const blobs: BlobsApi = {
    async sendFile(_room, file, options) {
      let n = 0;
      for await (const chunk of file) {
        n += chunk.length;
        options.onProgress?.(n);
        await gate;
      }
      sent.push(options.filename ?? '');
      return { messageId: new Uint8Array(32) as MessageId };
    },
    download: () => {
      throw new Error('unused');
    },
    open: () => Promise.reject(new Error('unused')),
  };
  return { blobs, open };
}

describe('sending files', () => {
  it('cancels an upload before its message is sent, and sends the next one', async () => {
    const sent: string[] = [];
    const { blobs, open } = gatedBlobs(sent);
    let progressed: () => void = () => undefined;
    const progress = new Promise<void>((r) => (progressed = r));
    const files = new FileTransfers(blobs, () => {
      if ((files.uploads(room)[0]?.sent ?? 0) > 0) progressed();
    });
    const room = 'r' as RoomId;
    const big = new Blob([new Uint8Array(64 * 1024), new Uint8Array(64 * 1024)]);
    const picked = (name: string) => ({
      name,
      type: '',
      size: big.size,
      stream: () => big.stream(),
    });
    const first = files.send(room, picked('first.bin'));
    await progress;
    const [upload] = files.uploads(room);
    expect(upload?.name).toBe('first.bin');
    files.cancelUpload(upload?.id ?? 0);
    open();
    await expect(first).resolves.toBeUndefined();
    expect(sent).toEqual([]);
    expect(files.uploads(room)).toEqual([]);

    await expect(files.send(room, picked('second.bin'))).resolves.toMatch(/^0+$/);
    expect(sent).toEqual(['second.bin']);
  });
});
