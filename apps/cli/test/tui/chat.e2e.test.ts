import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KithApp } from '../../src/app/kith-app.ts';
import { runKith } from '../../src/demo/daemon-process.ts';
import { PtyChat, until } from './pty-chat.ts';

const NETWORK = ['--no-mdns', '--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Ana uses the chat in a pseudo-terminal; Ben is a device in this process, driven through the
 * same app layer. Every wait is on Ana's screen or on Ben's events, bounded in time.
 */
describe('the chat in a terminal', () => {
  let anaDir = '';
  let benDir = '';
  let ben: KithApp;
  let roomId = '';
  const chats: PtyChat[] = [];

  beforeAll(async () => {
    anaDir = await mkdtemp(join(tmpdir(), 'kith-tui-ana-'));
    benDir = await mkdtemp(join(tmpdir(), 'kith-tui-ben-'));
    ben = await KithApp.open({
      dataDir: benDir,
      displayName: 'ben',
      listen: ['/ip4/127.0.0.1/tcp/0'],
      mdns: false,
    });
  });

  afterAll(async () => {
    for (const chat of chats) chat.dispose();
    await ben.close();
    await rm(anaDir, { recursive: true, force: true });
    await rm(benDir, { recursive: true, force: true });
  });

  it('asks a name, exchanges links, starts a group, messages, replies, edits, reacts, and quits cleanly', async () => {
    const chat = PtyChat.start({ args: ['--data-dir', anaDir, ...NETWORK], reportTerminal: true });
    chats.push(chat);

    // First run: the name is asked on the normal screen, then the chat takes the screen.
    await chat.waitForText('Your name:');
    expect(chat.onAlternateScreen).toBe(false);
    chat.type('ana\r');
    await chat.waitFor(
      'the chat',
      () => chat.onAlternateScreen && / ana · \d+ peers?/.test(chat.screen()),
    );
    expect(chat.screen()).toContain('no rooms yet');
    expect(chat.term.modes.bracketedPasteMode).toBe(true);

    // /link prints the link on the normal screen, where the terminal wraps it for copying.
    chat.type('/link\r');
    await chat.waitFor(
      'the link',
      () => !chat.onAlternateScreen && chat.normalText().includes('Press any key'),
    );
    const link = /kith:[a-z0-9]+/.exec(chat.normalText())?.[0] ?? '';
    const ana = await ben.node.addContact(link);
    expect(ana.displayName).toBe('ana');
    chat.type(' ');
    await chat.waitFor(
      'the chat again',
      () => chat.onAlternateScreen && chat.screen().includes('no rooms yet'),
    );

    chat.type(`/add ${ben.whoami().contactLink}\r`);
    await chat.waitForText('added ben');

    chat.type('/new team ben\r');
    await chat.waitForText('created "team"');
    await until(ben, 'ben joining', () => ben.rooms().length === 1);
    roomId = ben.rooms()[0]?.roomId ?? '';
    expect(ben.room(roomId).name).toBe('team');
    await chat.waitForText('· ben joined');
    expect(chat.rows()[1]).toMatch(/^ 1 team/);
    expect(chat.rows()[0]).toContain('kith · team');

    chat.type('hello ben\r');
    await until(ben, 'ana’s message', () =>
      ben.messages(roomId).some((m) => m.text === 'hello ben'),
    );
    await chat.waitForText(/1 \d\d:\d\d ana: hello ben/);
    // Its mark: ✓✓ once ben's device has it, "read by 1" once he read it.
    await chat.waitForText(/ana: hello ben ✓✓(?! read)/);
    await ben.markRead(roomId);
    await chat.waitForText(/ana: hello ben ✓✓ read by 1/);
    const first = ben.messages(roomId)[0]?.messageId ?? '';
    expect(ben.messages(roomId)[0]?.senderName).toBe('ana');

    await ben.send(roomId, 'hi ana', { replyTo: first });
    await chat.waitForText(/2 \d\d:\d\d ben: \[↪ ana: hello ben\] hi ana/);

    chat.type('/edit 1 hello ben!\r');
    await until(ben, 'the edit', () => ben.messages(roomId)[0]?.text === 'hello ben!');
    await chat.waitForText(/ana: hello ben! \(edited\)/);

    chat.type('/react 2 👍\r');
    await until(ben, 'the reaction', () => ben.messages(roomId)[1]?.reactions['👍']?.length === 1);
    await chat.waitForText(/│ +👍 1/);

    // A refusal is a notice, not a crash.
    const notice = (): string => chat.rows().at(-2)?.trim() ?? '';
    chat.type('/edit 2 not mine\r');
    await chat.waitFor('a refusal', () => notice() !== '' && !notice().includes('edited'));
    expect(notice()).toContain('author');
    expect(ben.messages(roomId)[1]?.text).toBe('hi ana');
    chat.type('/delete 99\r');
    await chat.waitFor('no message 99', () => notice() === 'no message 99 here');

    await chat.waitForText(/ ana · 1 peer · no relays · history complete/);

    chat.type('/search HELLO\r');
    await chat.waitForText('Search: HELLO (1)');
    await chat.waitForText(/team · \d{4}-\d\d-\d\d \d\d:\d\d · ana: hello ben!/);
    chat.type('/verify ben\r');
    await chat.waitForText('Safety number with ben');
    await chat.waitForText(/(\d{5} ){3}\d{5}/);
    await chat.waitForText('Not verified');
    chat.type('/verify ben yes\r');
    await chat.waitForText('Verified on');

    chat.type('/quit\r');
    expect(await chat.waitForExit()).toBe(0);
    await chat.waitForText('kith exited 0');
    // The terminal is as it was: the normal screen, line editing and echo back on.
    expect(chat.onAlternateScreen).toBe(false);
    expect(chat.term.modes.bracketedPasteMode).toBe(false);
    const stty = chat.normalText();
    expect(stty).toMatch(/(^|\s)icanon(\s|$)/m);
    expect(stty).toMatch(/(^|\s)echo(\s|$)/m);
  });

  it('opens without asking again, counts unread messages until read, and gives the terminal back on SIGTERM', async () => {
    const chat = PtyChat.start({ args: ['--data-dir', anaDir, ...NETWORK] });
    chats.push(chat);
    await chat.waitFor(
      'the chat',
      () => chat.onAlternateScreen && chat.screen().includes('kith · team'),
    );
    expect(chat.normalText()).not.toContain('Your name:');
    // The membership line of the last run is still in the room's timeline.
    await chat.waitForText('· ben joined');

    // Ana's device listens on a new port now; she dials Ben, a contact, at his address.
    await chat.waitForText(' ana · 1 peer');
    const me = ben.node.contacts().find((c) => c.displayName === 'ana');
    if (me === undefined) throw new Error('ben lost ana');
    const lunch = await ben.createRoom({ name: 'lunch', members: [me.userId] });
    await ben.send(lunch, 'pizza?');
    await ben.send(lunch, 'or sushi?');
    await chat.waitForText(/ 2 lunch +2│/);
    expect(chat.rows()[1]).toMatch(/^ 1 team +│/);

    chat.type('\t');
    await chat.waitForText('ben: or sushi?');
    await chat.waitForText(/ 2 lunch +│/);
    expect(chat.rows()[0]).toContain('kith · lunch');

    // A mention in the other room rings the bell and says who and where.
    const bells = chat.bells;
    await ben.send(roomId, '@ana are you coming?', { markdown: true });
    await chat.waitForText('ben mentioned you in team');
    expect(chat.bells).toBeGreaterThan(bells);
    expect(chat.notifications).toContain('notify;Kith;ben mentioned you in team');
    expect(chat.rows()[1]).toMatch(/^ 1 team +@/);

    chat.kill('SIGTERM');
    expect(await chat.waitForExit()).toBe(0);
    expect(chat.onAlternateScreen).toBe(false);
    expect(chat.term.modes.bracketedPasteMode).toBe(false);
  });
});

describe('the chat and scripts', () => {
  it('serves the daemon’s JSON-RPC: the shell reaches the device the person is using', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kith-tui-rpc-'));
    const chat = PtyChat.start({ args: ['--data-dir', dir, '--name', 'cleo', ...NETWORK] });
    try {
      await chat.waitFor(
        'the chat',
        () => chat.onAlternateScreen && chat.screen().includes('cleo'),
      );
      const who = await runKith(['--data-dir', dir, 'whoami', '--json']);
      expect(who.stderr).toBe('');
      expect(JSON.parse(who.stdout)).toMatchObject({ displayName: 'cleo' });
      // What a script does shows on the person's screen.
      const created = await runKith(['--data-dir', dir, 'createRoom', '--name', 'notes', '--json']);
      const { roomId } = JSON.parse(created.stdout) as { roomId: string };
      const sent = await runKith([
        '--data-dir',
        dir,
        'send',
        '--roomId',
        roomId,
        '--text',
        'from cron',
      ]);
      expect(sent.code).toBe(0);
      await chat.waitForText('cleo: from cron');
      // A second device process on the same directory is still refused.
      const daemon = await runKith(['--data-dir', dir, 'daemon', '--no-mdns']);
      expect(daemon.code).toBe(1);
      chat.type('/quit\r');
      expect(await chat.waitForExit()).toBe(0);
      // Once the chat is gone, the shell says so instead of calling a dead port.
      const after = await runKith(['--data-dir', dir, 'whoami']);
      expect(after.code).toBe(1);
      expect(after.stderr).toContain('no daemon or chat is running');
    } finally {
      chat.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
