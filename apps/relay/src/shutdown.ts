import type { Logger } from './log/logger.ts';

/** Where signals come from: the process, or an emitter in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

/** How long a graceful stop may take before the process gives up on it. */
const STOP_DEADLINE_MS = 20_000;

/**
 * Signals within this time of the first are copies of it, not a second request: a terminal's
 * Ctrl-C reaches every process of the foreground group, and wrappers (the bin, pnpm, a shell)
 * pass it on as well, so the relay often receives one request two or three times at once.
 */
const SAME_REQUEST_MS = 1000;

/**
 * Resolves on the first SIGINT or SIGTERM. From then on, another signal (a second Ctrl-C), or a
 * stop that takes longer than the deadline, ends the process at once through `onForce`.
 */
export function firstSignal(
  log: Logger,
  onForce: (code: number) => void,
  options: { readonly source?: SignalSource; readonly now?: () => number } = {},
): Promise<NodeJS.Signals> {
  const source = options.source ?? process;
  const now = options.now ?? Date.now;
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals): void => {
      const at = now();
      source.off('SIGINT', first);
      source.off('SIGTERM', first);
      const again = (next: NodeJS.Signals): void => {
        if (now() - at < SAME_REQUEST_MS) return;
        log.warn('second signal: exiting without finishing the shutdown', { signal: next });
        onForce(1);
      };
      source.on('SIGINT', again);
      source.on('SIGTERM', again);
      setTimeout(() => {
        log.error('the shutdown did not finish in time: exiting', { deadlineMs: STOP_DEADLINE_MS });
        onForce(1);
      }, STOP_DEADLINE_MS).unref();
      log.info('received a signal: shutting down', { signal });
      resolve(signal);
    };
    source.on('SIGINT', first);
    source.on('SIGTERM', first);
  });
}
