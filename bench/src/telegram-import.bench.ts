import { ClassicLevel } from 'classic-level';
import { KithClient, KvStore, telegramToMimi } from '@kith/core';
import { createMemoryNetwork } from '@kith/core/testing';
import { installNodeCrypto } from '@kith/node';
import { format, timeOnce } from './measure.ts';
import { TempDirs } from './node-fixtures.ts';

/**
 * Importing a Telegram Desktop export of 100,000 messages (10,000 with --quick) into a room of
 * a device on LevelDB: reading and converting the file (`JSON.parse` and `telegramToMimi`), then
 * writing it (`importHistory`, in signed updates of 256 entries). Messages per second of each,
 * and the peak resident memory of the process over the run.
 */
export async function benchTelegramImport(quick: boolean): Promise<void> {
  installNodeCrypto();
  const n = quick ? 10_000 : 100_000;
  const text = JSON.stringify({
    name: 'bench',
    type: 'private_group',
    id: 1,
    messages: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      type: 'message',
      date: '2021-01-01T10:00:00',
      date_unixtime: String(1_609_495_200 + i),
      from: `User ${i % 7}`,
      from_id: `user${i % 7}`,
      ...(i % 10 === 9 ? { reply_to_message_id: i } : {}),
      text: [`message ${i} with `, { type: 'bold', text: 'some' }, ' formatting'],
      text_entities: [
        { type: 'plain', text: `message ${i} with ` },
        { type: 'bold', text: 'some' },
        { type: 'plain', text: ' formatting' },
      ],
    })),
  });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const dirs = new TempDirs();
  try {
    const convert = await timeOnce(() => telegramToMimi(JSON.parse(text)));
    const plan = convert.value[0]?.plan;
    if (plan?.items.length !== n) throw new Error('messages lost in conversion');
    const db = new ClassicLevel<string, Uint8Array>(
      await dirs.make('telegram'),
      KvStore.databaseOptions,
    );
    const network = createMemoryNetwork();
    const client = await KithClient.open({
      storage: db,
      transport: (d) => network.endpoint(d.deviceId),
    });
    try {
      const roomId = await client.createRoom({ name: 'bench' });
      const write = await timeOnce(() => client.importHistory(roomId, plan.items));
      if (write.value.imported !== n) throw new Error('messages lost in the import');
      peak = Math.max(peak, process.memoryUsage().rss);
      const perSecond = (ns: number) => format((n / ns) * 1e9);
      console.log(
        `telegram import: ${n.toLocaleString('en')} messages (${(text.length / 2 ** 20).toFixed(1)} MB of JSON): ` +
          `read and convert ${perSecond(convert.ns)} msg/s, write ${perSecond(write.ns)} msg/s, ` +
          `peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`,
      );
    } finally {
      await client.close();
    }
  } finally {
    clearInterval(sampler);
    await dirs.removeAll();
  }
}
