import { webCryptoEd25519 } from '@kith/browser';
import { loadCiphersuite, nobleEd25519, useEd25519, webRandom } from '@kith/core';
import { kithPair, rawCiphersuite, rawPair, type Phases } from '../../pipeline-pairs.ts';
import { coldStart, populate } from './cold-start.ts';
import * as latency from './latency.ts';
import { chatMessage } from '../../timeline-fixtures.ts';
import type { PageBench, PipelineFigures } from '../page-api.ts';

/** Median µs per call of `run` over `rounds` rounds of `ops` awaited calls (after one warm-up). */
async function medianUs(
  ops: number,
  rounds: number,
  run: () => Promise<unknown>,
): Promise<number[]> {
  await run();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < ops; i++) await run();
    samples.push(((performance.now() - start) * 1000) / ops);
  }
  return samples;
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function pipeline(quick: boolean): Promise<PipelineFigures[]> {
  const ops = quick ? 20 : 200;
  const rounds = quick ? 3 : 7;
  const cs = await loadCiphersuite();
  const kith = await kithPair(cs);
  const raw = await rawPair(await rawCiphersuite());
  const webCrypto = webCryptoEd25519();
  const workloads: [string, (n: number) => Uint8Array][] = [
    ['short text', (n) => chatMessage(n)],
    ['4 KiB text', (n) => chatMessage(n, `${'lorem ipsum dolor sit amet '.repeat(152)}${n}`)],
  ];
  const figures: PipelineFigures[] = [];
  for (const [workload, content] of workloads) {
    let n = 0;
    const payloadBytes = kith.payloadSizeOf(content(0));
    const payload = webRandom.bytes(payloadBytes);
    const rawSamples: number[] = [];
    const webSamples: number[] = [];
    const nobleSamples: number[] = [];
    // Rounds interleaved, so that a busy neighbour slows every variant alike.
    for (let r = 0; r < rounds; r++) {
      rawSamples.push(...(await medianUs(ops, 1, () => raw.send(payload))));
      useEd25519(webCrypto);
      webSamples.push(...(await medianUs(ops, 1, () => kith.send(content(n++)))));
      useEd25519(undefined);
      nobleSamples.push(...(await medianUs(ops, 1, () => kith.send(content(n++)))));
    }
    // Where a message's time goes, in a separate run (timing each phase costs a little).
    const phases: Phases = { write: 0, encrypt: 0, decrypt: 0, preverify: 0, judge: 0 };
    useEd25519(webCrypto);
    for (let i = 0; i < ops; i++)
      await kith.sendTimed(content(n++), phases, () => performance.now());
    useEd25519(undefined);
    const phasesUs = Object.fromEntries(
      Object.entries(phases).map(([phase, ms]) => [phase, (ms * 1000) / ops]),
    );
    figures.push({
      workload,
      phasesUs,
      payloadBytes,
      rawUs: median(rawSamples),
      webCryptoUs: median(webSamples),
      nobleUs: median(nobleSamples),
    });
  }
  return figures;
}

async function ed25519(quick: boolean): Promise<Record<string, number>> {
  const ops = quick ? 50 : 300;
  const secret = webRandom.bytes(32);
  const publicKey = nobleEd25519.getPublicKey(secret);
  const message = webRandom.bytes(200);
  const signature = nobleEd25519.sign(message, secret);
  const pkcs8 = Uint8Array.from([...PKCS8_PREFIX, ...secret]);
  const subtle = crypto.subtle;
  const privateKey = await subtle.importKey('pkcs8', pkcs8, 'Ed25519', false, ['sign']);
  const publicCryptoKey = await subtle.importKey(
    'raw',
    Uint8Array.from(publicKey),
    'Ed25519',
    false,
    ['verify'],
  );
  const sig = Uint8Array.from(signature);
  const msg = Uint8Array.from(message);
  const time = async (run: () => unknown): Promise<number> =>
    median(await medianUs(ops, 3, () => Promise.resolve(run())));
  return {
    'noble sign (kept expansion)': await time(() => nobleEd25519.sign(message, secret)),
    'noble verify': await time(() => nobleEd25519.verify(signature, message, publicKey)),
    'WebCrypto sign': await time(() => subtle.sign('Ed25519', privateKey, msg)),
    'WebCrypto verify': await time(() => subtle.verify('Ed25519', publicCryptoKey, sig, msg)),
  };
}

/** PKCS #8 DER prefix of an Ed25519 private key, before its 32-byte seed. */
const PKCS8_PREFIX = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/** Since navigation start: this bundle fetched, parsed and run (the top of a cold start). */
const loadedMs = performance.now();

const api: PageBench = {
  pipeline,
  ed25519,
  populate,
  coldStart: (name) => coldStart(name, loadedMs),
  latency,
};
Object.assign(globalThis, { kithBench: api });
