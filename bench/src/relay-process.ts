import { RelayProcess as Relay } from '@kith/relay/process';

/**
 * A real `kith-relay` process on loopback for the relay benchmarks, started through the shared
 * launcher (`@kith/relay/process`) as an operator runs it (Node on `apps/relay/src/main.ts`, as
 * in the README's systemd unit), with Node flags of the benchmarks' own. Every wait is bounded
 * and re-checks on what the process prints.
 */

const WAIT_MS = 30_000;

/**
 * Loaded into the relay with `--import` (and `--expose-gc`): on SIGUSR2 it runs a full
 * collection and says so on stderr, so memory is read after a GC. The relay itself is unchanged.
 */
const GC_HOOK =
  'data:text/javascript,process.on("SIGUSR2",()=>{globalThis.gc();process.stderr.write("bench-gc-done\\n")})';

/**
 * Loaded with `--import`: makes the relay's @kith/core verify with Node's Ed25519, as
 * `installNodeCrypto()` would (the relay process does not call it; devices do).
 */
const NODE_ED25519 = `data:text/javascript,import{installNodeCrypto}from"${
  new URL('../../packages/node/src/crypto/node-ed25519.ts', import.meta.url).href
}";installNodeCrypto()`;

export interface RelayOptions {
  /** More `kith-relay` flags (rate limits, reservations...). */
  readonly args?: readonly string[];
  /** Verify signatures with Node's Ed25519 rather than @kith/core's default (noble). */
  readonly nodeEd25519?: boolean;
  /** Write a CPU profile (`node --cpu-prof`) into this directory when the relay stops. */
  readonly cpuProfileDir?: string | undefined;
}

/** The relay's `/metrics`, the series the benchmarks read. */
export interface RelayMetrics {
  readonly connections: number;
  readonly reservations: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  readonly externalBytes: number;
}

export class RelayProcess {
  readonly #relay: Relay;
  #gcs = 0;

  private constructor(relay: Relay) {
    this.#relay = relay;
  }

  static async start(options: RelayOptions = {}): Promise<RelayProcess> {
    const profile =
      options.cpuProfileDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`];
    const relay = await Relay.start({
      nodeArgs: [
        '--expose-gc',
        `--import=${GC_HOOK}`,
        ...(options.nodeEd25519 === true ? [`--import=${NODE_ED25519}`] : []),
        ...profile,
      ],
      args: ['--log-level', 'warn', ...(options.args ?? [])],
    });
    return new RelayProcess(relay);
  }

  /** The relay's TCP address, ending in /p2p/<peer id>. */
  get address(): string {
    return this.#relay.tcpAddress;
  }

  async metrics(): Promise<RelayMetrics> {
    const { text } = await this.#relay.get('/metrics');
    const value = (series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      if (line === undefined) throw new Error(`/metrics has no ${series}`);
      return Number(line.slice(series.length + 1));
    };
    return {
      connections: value('kith_relay_connections'),
      reservations: value('kith_relay_reservations'),
      messagesIn: value('kith_relay_messages_in_total'),
      messagesOut: value('kith_relay_messages_out_total'),
      rssBytes: value('process_resident_memory_bytes'),
      heapUsedBytes: value('nodejs_heap_used_bytes'),
      heapTotalBytes: value('nodejs_heap_total_bytes'),
      externalBytes: value('nodejs_external_memory_bytes'),
    };
  }

  /** A full garbage collection in the relay, then its metrics. */
  async metricsAfterGc(): Promise<RelayMetrics> {
    const before = this.#gcs;
    this.#relay.process.signal('SIGUSR2');
    await this.#relay.until('the relay to collect garbage', () => {
      this.#gcs = this.#relay.stderr.split('bench-gc-done\n').length - 1;
      return this.#gcs > before;
    });
    return this.metrics();
  }

  /**
   * Resolves once the relay's metrics satisfy `check`. The metrics are read again as soon as
   * the previous read returns (a scrape costs the relay well under a millisecond).
   */
  async metricsWhen(
    what: string,
    check: (m: RelayMetrics) => boolean,
    ms = WAIT_MS,
  ): Promise<RelayMetrics> {
    const deadline = performance.now() + ms;
    let last: RelayMetrics | undefined;
    while (performance.now() < deadline) {
      last = await this.metrics();
      if (check(last)) return last;
    }
    throw new Error(`timed out after ${ms / 1000} s waiting for ${what}: ${JSON.stringify(last)}`);
  }

  /** Stops it with SIGTERM (as an operator would), waits for it to exit, removes its data. */
  async stop(): Promise<void> {
    await this.#relay.remove();
  }
}
