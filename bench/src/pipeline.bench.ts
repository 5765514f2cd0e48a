import { loadCiphersuite, useEd25519, webRandom } from '@kith/core';
import { nodeEd25519 } from '@kith/node';
import { goal, measureAsync, report } from './measure.ts';
import { kithPair, perSecond, rawCiphersuite, rawPair } from './pipeline-pairs.ts';
import { chatMessage } from './timeline-fixtures.ts';

/**
 * One message from sender to receiver through everything Kith does: encode the MIMI content,
 * write it into the sender's ConversationDoc (which signs the Yjs update), wrap it in an
 * application payload and encrypt it with the group; on the other member, decrypt, decode the
 * payload, verify and validate the signed update and apply it to its document. The baseline
 * is raw ts-mls carrying a payload of the same size: createApplicationMessage, then
 * processPrivateMessage on the other member.
 */
export async function benchPipeline(quick: boolean): Promise<void> {
  const ops = quick ? 20 : 200;
  const rounds = quick ? 3 : 5;
  const cs = await loadCiphersuite();
  const kith = await kithPair(cs);
  const raw = await rawPair(await rawCiphersuite());
  const workloads: [string, (n: number) => Uint8Array][] = [
    ['short text', (n) => chatMessage(n)],
    ['4 KiB text', (n) => chatMessage(n, `${'lorem ipsum dolor sit amet '.repeat(152)}${n}`)],
  ];
  for (const [name, content] of workloads) {
    let n = 0;
    const payloadSize = kith.payloadSizeOf(content(0));
    const payload = webRandom.bytes(payloadSize);
    const kithRun = await measureAsync('write, encrypt / decrypt, receive', ops, rounds, () =>
      kith.send(content(n++)),
    );
    const rawRun = await measureAsync('ts-mls application message', ops, rounds, () =>
      raw.send(payload),
    );
    // The same with Node's Ed25519 installed, as @kith/node will (core's default is noble).
    useEd25519(nodeEd25519());
    const kithNode = await measureAsync('same, with Node Ed25519', ops, rounds, () =>
      kith.send(content(n++)),
    );
    useEd25519(undefined);
    report(`send and receive: ${name} (${payloadSize}-byte payload, 2 members)`, [
      [kithRun, rawRun],
      [kithNode, rawRun],
    ]);
    console.log(
      `messages per second: kith ${perSecond(kithRun.nsPerOp)}, with Node Ed25519 ${perSecond(kithNode.nsPerOp)}, ts-mls ${perSecond(rawRun.nsPerOp)}`,
    );
    const cpu = (m: typeof rawRun): string =>
      `${((m.cpuNsPerOp ?? Number.NaN) / 1000).toFixed(0)} µs`;
    const cpuShare = (m: typeof rawRun): string =>
      `${((100 * (rawRun.cpuNsPerOp ?? Number.NaN)) / (m.cpuNsPerOp ?? Number.NaN)).toFixed(0)}%`;
    console.log(
      `CPU per message (every thread): kith ${cpu(kithRun)} (${cpuShare(kithRun)} of raw), ` +
        `with Node Ed25519 ${cpu(kithNode)} (${cpuShare(kithNode)}), ts-mls ${cpu(rawRun)}`,
    );
    const share = (100 * rawRun.nsPerOp) / kithRun.nsPerOp;
    goal(`${name}: throughput, share of raw ts-mls`, share, { atLeast: 60 }, '%');
    const shareNode = (100 * rawRun.nsPerOp) / kithNode.nsPerOp;
    goal(`${name}, Node Ed25519: share of raw ts-mls`, shareNode, { atLeast: 60 }, '%');
  }
}
