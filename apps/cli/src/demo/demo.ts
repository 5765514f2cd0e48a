// `pnpm demo`: three Kith devices on loopback, each a real `kith daemon` process with its own
// data directory, play a conversation while this script prints what each of them sees.
import { rm } from 'node:fs/promises';
import { RelayProcess } from '@kith/relay/process';
import type { ReceiptsView } from '../app/signals.ts';
import type { MessageView, RoomView, Whoami } from '../app/views.ts';
import { markdownSegments } from '../tui/markdown.ts';
import type { Segment } from '../tui/text.ts';
import { Daemon } from './daemon-process.ts';

const bold = (s: string): string => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string): string => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

function styled(segments: readonly Segment[]): string {
  const tty = process.stdout.isTTY;
  return segments
    .map((s) => (tty && s.style !== '' ? `\x1b[${s.style}m${s.text}\x1b[0m` : s.text))
    .join('');
}

function step(text: string): void {
  process.stdout.write(`\n${bold(`▶ ${text}`)}\n`);
}

async function show(device: Daemon, roomId: string, label: string): Promise<void> {
  const messages = await device.call<MessageView[]>('messages', { roomId });
  process.stdout.write(`  ${bold(device.name)} sees ${label}:\n`);
  if (messages.length === 0) process.stdout.write(`    ${dim('(nothing)')}\n`);
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  for (const m of messages) {
    const quoted = m.replyTo === null ? '' : dim(` ↪ "${byId.get(m.replyTo)?.text ?? '…'}"`);
    // Markdown as the chat shows it: styles on a terminal, mentions as @name.
    const body = m.markdown ? styled(markdownSegments(m.text)) : m.text;
    const text = m.retracted ? dim('(retracted)') : body + (m.edited ? dim(' (edited)') : '');
    const reactions = Object.entries(m.reactions)
      .map(([emoji, users]) => ` ${emoji}${users.length}`)
      .join('');
    process.stdout.write(`    ${m.senderName}: ${text}${quoted}${reactions}\n`);
  }
}

async function hasTexts(device: Daemon, roomId: string, texts: readonly string[]): Promise<void> {
  await device.until(`${texts.join(', ')} on ${device.name}`, async () => {
    const have = new Set(
      (await device.call<MessageView[]>('messages', { roomId })).map((m) => m.text),
    );
    return texts.every((t) => have.has(t));
  });
}

async function main(): Promise<void> {
  step('Starting a relay (kith-relay) on 127.0.0.1: it will keep ciphertext for offline devices');
  const relay = await RelayProcess.start();
  process.stdout.write(`  relay: ${dim(relay.tcpAddress)}\n`);
  step('Starting three devices (ana, ben, cai), each a kith daemon on 127.0.0.1 using the relay');
  process.stdout.write(
    `  ${dim('(each loads the engine and libp2p: a few seconds on a busy machine)')}\n`,
  );
  const relays = [relay.tcpAddress];
  const devices = await Promise.all(
    ['ana', 'ben', 'cai'].map(async (n) => {
      const device = await Daemon.start(n, undefined, relays);
      process.stdout.write(`  ${n} is up\n`);
      return device;
    }),
  );
  const [ana, ben, cai] = devices as [Daemon, Daemon, Daemon];
  let [anaNow, benNow, caiNow] = [ana, ben, cai];
  try {
    const me: Record<string, Whoami> = {};
    for (const d of devices) {
      me[d.name] = await d.call<Whoami>('whoami');
      process.stdout.write(`  ${d.name}: ${me[d.name]?.userId} ${dim(`(${d.dataDir})`)}\n`);
    }
    const id = (name: string): string => me[name]?.userId ?? '';

    step('They exchange contact links (kith:… URIs, short enough for a QR code)');
    process.stdout.write(`  ana's link: ${dim(me['ana']?.contactLink ?? '')}\n`);
    for (const d of [ben, cai]) {
      await ana.call('addContact', { link: me[d.name]?.contactLink });
      await d.call('addContact', { link: me['ana']?.contactLink });
    }
    await ben.call('addContact', { link: me['cai']?.contactLink });
    await cai.call('addContact', { link: me['ben']?.contactLink });

    step(
      'ana creates the group "weekend" with ben and cai (an MLS group; key packages fetched over libp2p)',
    );
    const { roomId } = await ana.call<{ roomId: string }>('createRoom', {
      name: 'weekend',
      members: [id('ben'), id('cai')],
    });
    for (const d of [ben, cai]) {
      await d.until('joining', async () =>
        (await d.call<RoomView[]>('rooms')).some((r) => r.roomId === roomId),
      );
    }
    const room = (await cai.call<RoomView[]>('rooms')).find((r) => r.roomId === roomId);
    process.stdout.write(
      `  cai joined "${room?.name}": ${room?.members.map((m) => `${m.displayName} (${m.role})`).join(', ')}\n`,
    );

    step('ana asks, ben replies, ana edits her question, cai reacts');
    const { messageId } = await ana.call<{ messageId: string }>('send', {
      roomId,
      text: 'Hike on Saturday?',
    });
    await hasTexts(ben, roomId, ['Hike on Saturday?']);
    await ben.call('send', { roomId, text: 'Count me in!', replyTo: messageId });
    await ana.call('edit', { roomId, messageId, text: 'Hike on Saturday at 9?' });
    await hasTexts(cai, roomId, ['Hike on Saturday at 9?', 'Count me in!']);
    await cai.call('react', { roomId, messageId, emoji: '👍' });
    await ana.until('the reaction', async () =>
      (await ana.call<MessageView[]>('messages', { roomId })).some(
        (m) => m.reactions['👍'] !== undefined,
      ),
    );
    for (const d of devices) await show(d, roomId, '"weekend"');

    step('ben mentions cai in Markdown; ana sees who has read her question');
    await ben.call('send', { roomId, text: '@cai can you **bring the map**?', markdown: true });
    await cai.until('the mention', async () =>
      (await cai.call<RoomView[]>('rooms')).some((r) => r.roomId === roomId && r.mentions),
    );
    process.stdout.write('  cai’s room list marks "weekend" with a mention\n');
    await ana.until('read receipts', async () => {
      const r = await ana.call<ReceiptsView>('receipts', { roomId, messageId });
      return r.readBy.length === 2;
    });
    const receipts = await ana.call<ReceiptsView>('receipts', { roomId, messageId });
    process.stdout.write(
      `  ana’s question was read by ${receipts.readBy.map((p) => p.displayName).join(' and ')}\n`,
    );

    step('ana sends a message that disappears after 3 s: it goes from every device’s store');
    await ana.call('send', { roomId, text: 'Gate code: 4711', expiresInMs: 3000 });
    await hasTexts(cai, roomId, ['Gate code: 4711']);
    process.stdout.write('  cai has it…\n');
    for (const d of devices) {
      await d.until('the expiry', async () =>
        (await d.call<MessageView[]>('messages', { roomId })).every(
          (m) => m.text !== 'Gate code: 4711',
        ),
      );
    }
    process.stdout.write('  …and 3 s later nobody has it any more\n');

    step('ana and ben open a DM (exactly two users, both owners)');
    const { roomId: dm } = await ana.call<{ roomId: string }>('createRoom', {
      dm: true,
      members: [id('ben')],
    });
    await ben.until('the DM', async () =>
      (await ben.call<RoomView[]>('rooms')).some((r) => r.roomId === dm),
    );
    await ben.call('send', { roomId: dm, text: 'Should we invite Dee too?' });
    await hasTexts(ana, dm, ['Should we invite Dee too?']);
    await show(ana, dm, 'the DM');

    step('cai goes offline (the daemon stops); ana and ben keep talking, then go offline too');
    await cai.stop();
    await ana.call('send', { roomId, text: 'Bring water.' });
    await ben.call('send', { roomId, text: 'And snacks.' });
    await hasTexts(ana, roomId, ['And snacks.']);
    await ben.stop();
    await ana.stop();

    step('cai comes back while nobody else is online, and catches up through the relay');
    caiNow = await Daemon.start('cai', cai.dataDir, relays);
    await hasTexts(caiNow, roomId, ['Bring water.', 'And snacks.']);
    await show(caiNow, roomId, '"weekend" after catching up from the relay alone');
    anaNow = await Daemon.start('ana', ana.dataDir, relays);
    benNow = await Daemon.start('ben', ben.dataDir, relays);

    step('ben (a plain member) tries to remove cai: refused by every device’s policy');
    const refused = await benNow.rpc('remove', { roomId, userId: id('cai') });
    process.stdout.write(`  error ${refused.error?.code}: ${refused.error?.message}\n`);

    step('ana (owner) removes cai, then writes something cai must not read');
    await anaNow.call('remove', { roomId, userId: id('cai') });
    await caiNow.until('the removal', async () =>
      (await caiNow.call<RoomView[]>('rooms')).some((r) => r.roomId === roomId && !r.active),
    );
    await anaNow.call('send', { roomId, text: 'Plans for next week: secret.' });
    await hasTexts(benNow, roomId, ['Plans for next week: secret.']);
    await show(benNow, roomId, '"weekend"');
    await show(caiNow, roomId, '"weekend" (removed: new epochs are beyond its keys)');
    const after = await caiNow.rpc('send', { roomId, text: 'hello?' });
    process.stdout.write(
      `  cai tries to send: error ${after.error?.code}: ${after.error?.message}\n`,
    );

    step(
      'Done: every device and the relay above were separate processes talking libp2p on loopback.',
    );
  } finally {
    for (const d of [anaNow, benNow, caiNow]) await d.stop();
    for (const d of devices) await rm(d.dataDir, { recursive: true, force: true });
    await relay.remove();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
