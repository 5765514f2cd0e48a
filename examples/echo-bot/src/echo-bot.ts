// A Kith bot on Node: it joins the rooms it is invited to and answers every message there with
// "echo: <text>", as a reply. Run it with a relay so people can reach it from anywhere:
//
//   pnpm --filter @kith/example-echo-bot start --data-dir ./bot --relay /dns4/relay.example/tcp/443/wss/p2p/12D3...
//
// It prints its contact link ("link kith:..."): add it in the web app or with `kith contact add`,
// then invite the bot to a room. Ctrl-C (or SIGTERM) closes it cleanly.
import { parseArgs } from 'node:util';
import { messageText, type RoomId, type TimelineMessage } from '@kith/core';
import { KithNode } from '@kith/node';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: './echo-bot-data' },
    relay: { type: 'string', multiple: true, default: [] },
    listen: { type: 'string', multiple: true },
    name: { type: 'string', default: 'Echo bot' },
  },
});

const bot = await KithNode.open({
  // Keys, rooms and messages live here; the same directory next time is the same bot.
  dataDir: values['data-dir'],
  deviceName: 'echo-bot',
  relays: values.relay,
  // Without `listen` a device takes free TCP and WebSocket ports on every interface.
  ...(values.listen === undefined ? {} : { listen: values.listen }),
  // A bot on a server has no LAN neighbours to find.
  mdns: false,
  onError: (error) => {
    console.error('echo-bot:', error);
  },
});

// Handlers run after the engine has stored what they see; errors in them go to onError.
bot.client.on('joined', ({ roomId }) => {
  console.log(`joined ${roomId}`);
});
bot.client.on('timeline', ({ roomId, changes }) => {
  for (const change of changes) {
    if (change.type === 'added') void answer(roomId, change.message);
  }
});

/**
 * Answers a message from someone else. 'added' comes once per message, also for messages that
 * arrive late (sent while the bot was offline, caught up from a relay or a member after it
 * starts again); never for its own, which it would otherwise answer forever.
 */
async function answer(roomId: RoomId, message: TimelineMessage): Promise<void> {
  if (message.sender === bot.userId || message.retracted) return;
  const text = messageText(message.content);
  if (text === '') return;
  try {
    await bot.client.send(roomId, `echo: ${text}`, { replyTo: message.messageId });
  } catch (error) {
    // A refused send (the bot may not write in this room, or it was removed) is not fatal.
    console.error('echo-bot: cannot answer:', error);
  }
}

// The contact link carries the bot's keys, its addresses and its relays.
console.log(`user ${bot.userId}`);
console.log(`link ${bot.contactLink(values.name)}`);

// close() stores every room, stops libp2p and closes the database: a kill would skip that.
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    void bot.close().then(
      () => {
        console.log('closed');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('echo-bot: close failed:', error);
        process.exit(1);
      },
    );
  });
}
