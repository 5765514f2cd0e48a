import { describe, expect, it } from 'vitest';
import { fileLine, type FileView } from '../../src/app/file-view.ts';
import { safeFileName } from '../../src/app/files.ts';
import { parseLine } from '../../src/tui/commands.ts';
import { buildTimeline } from '../../src/tui/timeline.ts';
import { render } from '../../src/tui/render.ts';
import { messageView, state, text } from './fixtures.ts';

const picture: FileView = {
  name: 'view.png',
  size: 1_250_000,
  type: 'image/png',
  voice: false,
  width: 1200,
  height: 800,
  thumbnail: { type: 'image/jpeg', width: 160, height: 107 },
  blobId: 'ab'.repeat(32),
};
const voice: FileView = {
  name: '',
  size: 20_000,
  type: 'audio/ogg; codecs=opus',
  voice: true,
  durationMs: 12_400,
  waveform: [0, 0, 255, 255, 128, 128, 0, 0],
  blobId: 'cd'.repeat(32),
};

function withoutThumbnail(file: FileView): FileView {
  return Object.fromEntries(
    Object.entries(file).filter(([key]) => key !== 'thumbnail'),
  ) as unknown as FileView;
}

describe('file commands', () => {
  it('parse /send (and /attach), /voice, /save, /play, /transfers, /cancel', () => {
    expect(parseLine('/send "my photo.png" look at this')).toEqual({
      ok: true,
      command: { kind: 'sendFile', path: 'my photo.png', caption: 'look at this', voice: false },
    });
    expect(parseLine('/attach a.pdf')).toMatchObject({
      command: { kind: 'sendFile', path: 'a.pdf' },
    });
    expect(parseLine('/voice note.ogg')).toMatchObject({ command: { voice: true } });
    expect(parseLine('/save 3 /tmp/x')).toEqual({
      ok: true,
      command: { kind: 'save', n: 3, path: '/tmp/x' },
    });
    expect(parseLine('/save #4')).toMatchObject({ command: { kind: 'save', n: 4 } });
    expect(parseLine('/play 2')).toMatchObject({ command: { kind: 'play', n: 2 } });
    expect(parseLine('/cancel 1')).toMatchObject({ command: { kind: 'cancelTransfer', id: 1 } });
    expect(parseLine('/transfers')).toMatchObject({ command: { kind: 'transfers' } });
    expect(parseLine('/avatar me.png room')).toMatchObject({
      command: { kind: 'avatar', path: 'me.png', room: true },
    });
    expect(parseLine('/avatar me.png')).toMatchObject({ command: { room: false } });
    expect(parseLine('/avatar me.png elsewhere')).toMatchObject({ ok: false });
    expect(parseLine('/send')).toMatchObject({ ok: false });
    expect(parseLine('/save x')).toMatchObject({ ok: false });
  });

  it('show a file and a voice message in the timeline, with the command to save them', () => {
    const timeline = buildTimeline(
      [
        messageView('m1', 'u-ben', 'the view', { file: picture }),
        messageView('m2', 'u-ben', '', { file: voice }),
        messageView('m3', 'u-ben', '', { file: picture, retracted: true }),
      ],
      [],
      'u-ana',
    );
    const rows = text(render(state({ timeline }), 120, 14)).join('\n');
    expect(rows).toContain('ben: the view');
    expect(rows).toContain('📎 view.png · 1.2 MB · image/png · 1200×800 · thumbnail  (/save 1)');
    expect(rows).toContain('ben: 🎤 voice message 0:12 ▁▁██▅▅▁▁  (/save 2)');
    expect(rows).toContain('(message deleted)');
    expect(rows).not.toContain('/save 3');
  });

  it('line a file whose preview was refused, saying why', () => {
    expect(fileLine({ ...withoutThumbnail(picture), previewError: 'PREVIEW_TOO_LARGE' })).toBe(
      '📎 view.png · 1.2 MB · image/png · 1200×800 · preview refused: PREVIEW_TOO_LARGE',
    );
  });

  it('never let a sender choose where a file lands', () => {
    expect(safeFileName('../../.bashrc')).toBe('bashrc');
    expect(safeFileName('/etc/passwd')).toBe('passwd');
    expect(safeFileName('..\\..\\win.ini')).toBe('win.ini');
    expect(safeFileName('a\u202Egnp.exe')).toBe('a_gnp.exe');
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('..')).toBe('file');
  });
});
