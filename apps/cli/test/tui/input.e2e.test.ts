import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageView } from '../../src/app/views.ts';
import { runKith } from '../../src/demo/daemon-process.ts';
import { PtyChat } from './pty-chat.ts';

const NETWORK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];
const PASTE = (text: string): string => `\x1b[200~${text}\x1b[201~`;

/** What a person types into the chat, in a real pseudo-terminal; the room read back over RPC. */
describe('typing in the chat', () => {
  let dir = '';
  let chat: PtyChat;
  let roomId = '';
  const messages = async (): Promise<MessageView[]> => {
    const listed = await runKith(['--data-dir', dir, 'messages', '--roomId', roomId, '--json']);
    return JSON.parse(listed.stdout) as MessageView[];
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kith-tui-input-'));
    chat = PtyChat.start({ args: ['--data-dir', dir, '--name', 'dora', ...NETWORK] });
    await chat.waitFor('the chat', () => chat.onAlternateScreen && chat.screen().includes('dora'));
    const created = await runKith(['--data-dir', dir, 'createRoom', '--name', 'desk', '--json']);
    roomId = (JSON.parse(created.stdout) as { roomId: string }).roomId;
    await chat.waitForText('kith · desk');
  });

  afterAll(async () => {
    chat.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('drops a blank line instead of keeping it in front of the next command', async () => {
    chat.type('   \r');
    chat.type('/topic after blank\r');
    await chat.waitForText('after blank');
    chat.type('marker\r');
    await chat.waitForText('dora: marker');
    expect((await messages()).map((m) => m.text)).toEqual(['marker']);
  });

  it('sends a pasted paragraph, or Alt-Enter lines, as one message with its lines', async () => {
    chat.type(PASTE('line one\nline two'));
    chat.type('\r');
    chat.type('first');
    chat.type('\x1b\r');
    chat.type('second\r');
    await chat.waitForText('second');
    const texts = (await messages()).map((m) => m.text);
    expect(texts.slice(-2)).toEqual(['line one\nline two', 'first\nsecond']);
  });

  it('keeps a 10 KB paste of many lines one message, whatever reads it arrives in', async () => {
    const line = 'a line of a long paste, which a terminal hands over in several reads'.padEnd(79);
    const text = Array.from({ length: 130 }, (_, i) => `${String(i).padStart(3)} ${line}`)
      .join('\n')
      .slice(0, 10_240);
    const before = (await messages()).length;
    // In pieces, as the terminal's reads cut it: mid-line, and inside the end marker.
    const pasted = PASTE(text);
    chat.type(pasted.slice(0, 4000));
    chat.type(pasted.slice(4000, pasted.length - 3));
    chat.type(pasted.slice(pasted.length - 3));
    chat.type('\r');
    // Its last line in the timeline, with its delivery mark (the composer shows none).
    const tail = text.split('\n').at(-1)?.trim().slice(-12) ?? '';
    await chat.waitForText(new RegExp(`${tail} +[…✓]`));
    const after = await messages();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)?.text).toBe(text);
  });

  it('completes with Tab, and Tab on an empty line still changes room', async () => {
    chat.type('/to');
    chat.type('\t');
    await chat.waitForText('> /topic ');
    chat.type('tabbed\r');
    await chat.waitForText('tabbed');
    chat.type('@do\t');
    await chat.waitForText('> @dora ');
    chat.type('\x15'); // Ctrl-U clears the line
    await chat.waitFor('an empty composer', () => !chat.screen().includes('> @dora'));
  });

  it('cuts a paste larger than the composer holds and says so', async () => {
    chat.type(PASTE('z'.repeat(40_000)));
    await chat.waitForText('the input holds at most');
    chat.type('\r');
    await chat.waitForText(/│ +z{60}/);
    const last = (await messages()).at(-1);
    expect(last?.text).toBe('z'.repeat(16 * 1024));
  });
});
