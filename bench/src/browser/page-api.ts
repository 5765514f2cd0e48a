import type { ColdStartFigures, PopulateFigures } from './page/cold-start.ts';
import type * as Latency from './page/latency.ts';

export type { ColdStartFigures };

/** What the benchmark page offers the Node side (`window.kithBench`), in plain data. */
export interface PageBench {
  /** Median µs per message of each variant, per workload. */
  pipeline(quick: boolean): Promise<PipelineFigures[]>;
  /** µs per Ed25519 operation on a 200-byte message: noble's, and WebCrypto's with a cached key. */
  ed25519(quick: boolean): Promise<Record<string, number>>;
  /** Writes device `name` with `rooms` rooms of `messages` imported messages each. */
  populate(name: string, rooms: number, messages: number): Promise<PopulateFigures>;
  /** Opens device `name` in this (fresh) tab and lists its rooms with their latest messages. */
  coldStart(name: string): Promise<ColdStartFigures>;
  /** The tab's side of the latency benchmark (a Kith device, a raw libp2p node). */
  readonly latency: typeof Latency;
}

export interface PipelineFigures {
  readonly workload: string;
  readonly payloadBytes: number;
  /** Raw ts-mls: createApplicationMessage + processPrivateMessage. */
  readonly rawUs: number;
  /** Kith with the browser's WebCrypto Ed25519 (as KithBrowser.open installs it). */
  readonly webCryptoUs: number;
  /** Kith with core's default, noble. */
  readonly nobleUs: number;
  /** Kith with WebCrypto's Ed25519, µs per message in each phase (timed apart, a separate run). */
  readonly phasesUs: Record<string, number>;
}
