import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, runKith } from '../../src/demo/daemon-process.ts';

describe('the daemon’s JSON-RPC door', () => {
  let daemon: Daemon;
  beforeAll(async () => {
    daemon = await Daemon.start('solo');
  });
  afterAll(() => daemon.remove());

  it('keeps its token readable by the user only', async () => {
    expect((await stat(join(daemon.dataDir, 'rpc-token'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong or missing token with 401 and runs nothing', async () => {
    const wrong = await daemon.rpc('setProfile', { displayName: 'mallory' }, 'not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.error?.code).toBe(-32001);
    const none = await daemon.rpc('whoami', undefined, '');
    expect(none.status).toBe(401);
    expect((await daemon.call<{ displayName: string }>('whoami')).displayName).toBe('solo');
  });

  it('answers unknown methods, bad params and bad JSON with JSON-RPC errors', async () => {
    expect((await daemon.rpc('fly')).error?.code).toBe(-32601);
    const noText = await daemon.rpc('send', { roomId: 'x' });
    expect(noText.error).toMatchObject({ code: -32602, message: '"text" must be a string' });
    const notUser = await daemon.rpc('invite', { roomId: 'x', userId: 'bob' });
    expect(notUser.error?.code).toBe(-32602);
    const positional = await daemon.rpc('send', ['x', 'y']);
    expect(positional.error?.code).toBe(-32602);
    const response = await fetch(`http://127.0.0.1:${daemon.port}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${daemon.token}` },
      body: '{not json',
    });
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('names an unknown room as such', async () => {
    const reply = await daemon.rpc('messages', { roomId: 'ab'.repeat(32) });
    expect(reply.error).toMatchObject({ code: 1001, data: { kithCode: 'UNKNOWN_ROOM' } });
  });

  it('serves batches in order', async () => {
    const response = await fetch(`http://127.0.0.1:${daemon.port}/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${daemon.token}` },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'whoami' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
      ]),
    });
    const replies = (await response.json()) as { id: number; error?: unknown }[];
    expect(replies.map((r) => r.id)).toEqual([1, 2]);
    expect(replies[1]?.error).toMatchObject({ code: -32601 });
  });

  it('is reachable from the shell: kith METHOD --param value [--json]', async () => {
    const created = await runKith([
      '--data-dir',
      daemon.dataDir,
      'createRoom',
      '--name',
      'shell',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const { roomId } = JSON.parse(created.stdout) as { roomId: string };
    const sent = await runKith([
      '--data-dir',
      daemon.dataDir,
      'send',
      '--roomId',
      roomId,
      '--text',
      'from a shell',
    ]);
    expect(sent.code).toBe(0);
    const listed = await runKith(['--data-dir', daemon.dataDir, 'messages', '--roomId', roomId]);
    expect(listed.stdout).toContain('solo: from a shell');
    const refused = await runKith(['--data-dir', daemon.dataDir, 'leave', '--roomId', 'nope']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('no room nope');
  });

  it('says how to start a daemon when none runs, and has --help', async () => {
    const none = await runKith(['--data-dir', '/tmp/kith-no-daemon-here', 'whoami']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('kith --data-dir /tmp/kith-no-daemon-here daemon');
    const help = await runKith(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('createRoom');
    const unknown = await runKith(['frobnicate']);
    expect(unknown.code).toBe(2);
  });

  it('reads shell params by the method schema and names an unknown option', async () => {
    const kith = (...args: string[]) => runKith(['--data-dir', daemon.dataDir, ...args]);
    const created = await kith('createRoom', '--name', 'typed', '--json');
    const { roomId } = JSON.parse(created.stdout) as { roomId: string };
    const sent = await kith(
      'send',
      '--roomId',
      roomId,
      '--text',
      '**bold**',
      '--markdown',
      'true',
      '--expiresInMs',
      '30000',
    );
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    // A boolean param alone means true.
    expect((await kith('send', '--roomId', roomId, '--text', '_it_', '--markdown')).code).toBe(0);
    const listed = await kith('messages', '--roomId', roomId, '--markRead', 'false', '--json');
    expect(listed.code).toBe(0);
    const messages = JSON.parse(listed.stdout) as { markdown: boolean; expiresAt?: number }[];
    expect(messages.map((m) => m.markdown)).toEqual([true, true]);
    const typo = await kith('send', '--roomId', roomId, '--txt', 'hi');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown option --txt for send; did you mean --text?');
    const notANumber = await kith(
      'send',
      '--roomId',
      roomId,
      '--text',
      'x',
      '--expiresInMs',
      'soon',
    );
    expect(notANumber.code).toBe(2);
    expect(notANumber.stderr).toContain('--expiresInMs takes a whole number');
    const notABoolean = await kith('messages', '--roomId', roomId, '--markRead', 'nope');
    expect(notABoolean.code).toBe(2);
    const missing = await kith('send', '--roomId', roomId);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('send needs --text');
    const help = await runKith(['--help', 'send']);
    expect(help.stdout).toMatch(/--markdown\s+true or false/);
    const bad = await runKith([
      '--data-dir',
      daemon.dataDir,
      'daemon',
      '--relay',
      '127.0.0.1:4011',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--relay takes a multiaddr');
    // The daemon checks the same schema for scripts that call it over HTTP.
    const raw = await daemon.rpc('send', { roomId, txt: 'hi' });
    expect(raw.error).toMatchObject({ code: -32602 });
    expect(raw.error?.message).toContain('unknown param "txt"; did you mean "text"?');
  });

  it('refuses, in plain words, a DM with oneself, one’s own link as a contact and a word as a reaction', async () => {
    const me = await daemon.call<{ userId: string; contactLink: string }>('whoami');
    const dm = await daemon.rpc('createDm', { userId: me.userId });
    expect(dm.error).toMatchObject({ code: -32602 });
    expect(dm.error?.message).toContain('that user ID is your own');
    const self = await daemon.rpc('addContact', { link: me.contactLink });
    expect(self.error?.message).toContain('your own contact link');
    expect(await daemon.call<unknown[]>('contacts')).toEqual([]);
    const { roomId } = await daemon.call<{ roomId: string }>('createRoom', { name: 'emoji' });
    const { messageId } = await daemon.call<{ messageId: string }>('send', { roomId, text: 'hi' });
    const word = await daemon.rpc('react', { roomId, messageId, emoji: 'notanemoji' });
    expect(word.error?.message).toContain('"notanemoji" is not an emoji');
    for (const emoji of ['👍', '👍🏽', '🇫🇷', '❤️', '👨‍👩‍👧']) {
      expect((await daemon.rpc('react', { roomId, messageId, emoji })).error).toBeUndefined();
    }
  });

  it('streams what happens to a script that follows GET /events', async () => {
    const url = `http://127.0.0.1:${daemon.port}/events`;
    expect((await fetch(url)).status).toBe(401);
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${daemon.token}` },
      signal: abort.signal,
    });
    try {
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const until = async (pattern: RegExp): Promise<RegExpExecArray> => {
        for (;;) {
          const found = pattern.exec(text);
          if (found !== null) return found;
          const { value, done } = await reader.read();
          if (done) throw new Error(`the stream ended before ${String(pattern)}: ${text}`);
          text += decoder.decode(value, { stream: true });
        }
      };
      await until(/^: kith events\n\n/);
      const { roomId } = await daemon.call<{ roomId: string }>('createRoom', { name: 'live' });
      await daemon.call('send', { roomId, text: 'streamed' });
      const [, data = ''] = await until(/event: message\ndata: (.*"streamed".*)\n\n/);
      expect(JSON.parse(data)).toMatchObject({
        change: 'added',
        roomId,
        text: 'streamed',
        senderName: 'solo',
      });
    } finally {
      abort.abort();
    }
  });
});
