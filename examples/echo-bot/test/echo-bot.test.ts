import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesEqual,
  messageText,
  type MessageId,
  type RoomId,
  type TimelineMessage,
  type UserId,
} from '@kith/core';
import { KithNode } from '@kith/node';
import { launch, type LaunchedProcess } from '@kith/node/process';
import { RelayProcess } from '@kith/relay/process';

const BOT = fileURLToPath(new URL('../src/echo-bot.ts', import.meta.url));

let relay: RelayProcess | undefined;
let bot: LaunchedProcess | undefined;
let botDir = '';
let started: KithNode | undefined;
const dirs: string[] = [];

async function tempDir(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kith-echo-${label}-`));
  dirs.push(dir);
  return dir;
}

/** The value the bot printed after `prefix` on a line of its own. */
function printed(prefix: string, process: LaunchedProcess | undefined = bot): string | undefined {
  const line = (process?.stdout ?? '').split('\n').find((l) => l.startsWith(`${prefix} `));
  return line?.slice(prefix.length + 1);
}

/** Resolves with the first message of `roomId` for which `accept` holds, now or later. */
function messageWhere(
  device: KithNode,
  roomId: RoomId,
  accept: (m: TimelineMessage) => boolean,
): Promise<TimelineMessage> {
  const find = (): TimelineMessage | undefined => device.client.timeline(roomId).find(accept);
  const now = find();
  if (now !== undefined) return Promise.resolve(now);
  return new Promise((resolve) => {
    const off = device.client.on('timeline', () => {
      const found = find();
      if (found === undefined) return;
      off();
      resolve(found);
    });
  });
}

function replyTo(botUser: UserId, id: MessageId) {
  return (m: TimelineMessage): boolean =>
    m.sender === botUser && m.inReplyTo !== undefined && bytesEqual(m.inReplyTo, id);
}

/** Starts the bot on `dataDir` (the same directory is the same bot) and waits for its link. */
function launchBot(dataDir: string, relayAddress: string): Promise<LaunchedProcess> {
  return launch(
    {
      name: 'echo-bot',
      args: [
        '--conditions=@kith/source',
        BOT,
        '--data-dir',
        dataDir,
        '--relay',
        relayAddress,
        '--listen',
        '/ip4/127.0.0.1/tcp/0',
      ],
    },
    { what: 'its contact link', check: (p) => printed('link', p) !== undefined },
  );
}

beforeAll(async () => {
  relay = await RelayProcess.start();
  botDir = await tempDir('bot');
  bot = await launchBot(botDir, relay.tcpAddress);
  started = await KithNode.open({
    dataDir: await tempDir('user'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    relays: [relay.tcpAddress],
  });
});

afterAll(async () => {
  await started?.close();
  // Ended already when the test passed; a failed test leaves it running.
  await bot?.kill();
  await relay?.remove();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('examples/echo-bot, a bot in its own process', () => {
  it('joins a room it is invited to, answers each message once, closes on SIGTERM and catches up', async () => {
    const user = started;
    if (user === undefined) throw new Error('not set up');
    const contact = await user.addContact(printed('link') ?? '');
    expect(contact.userId).toBe(printed('user'));
    const roomId = await user.createRoom({ name: 'echo', members: [contact.userId] });

    const first = await user.client.send(roomId, 'hello bot');
    const echo = await messageWhere(user, roomId, replyTo(contact.userId, first));
    expect(messageText(echo.content)).toBe('echo: hello bot');

    // A second message, answered too: by then an echo of the bot's own echo would have come.
    const second = await user.client.send(roomId, 'again');
    const again = await messageWhere(user, roomId, replyTo(contact.userId, second));
    expect(messageText(again.content)).toBe('echo: again');
    const fromBot = user.client.timeline(roomId).filter((m) => m.sender === contact.userId);
    expect(fromBot.map((m) => messageText(m.content))).toEqual(['echo: hello bot', 'echo: again']);

    // SIGTERM closes the device (rooms stored, libp2p stopped) and the process ends with 0.
    const exit = await bot?.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(printed('joined')).toBe(roomId);
    expect(bot?.stdout).toContain('\nclosed\n');

    // Sent while it is away (kept by the relay and by this device); back, the bot catches up
    // and answers that message only, not again the ones it answered before it stopped.
    const away = await user.client.send(roomId, 'while you were away');
    bot = await launchBot(botDir, relay?.tcpAddress ?? '');
    const late = await messageWhere(user, roomId, replyTo(contact.userId, away));
    expect(messageText(late.content)).toBe('echo: while you were away');
    const all = user.client.timeline(roomId).filter((m) => m.sender === contact.userId);
    expect(all.map((m) => messageText(m.content))).toEqual([
      'echo: hello bot',
      'echo: again',
      'echo: while you were away',
    ]);
  });
});
