/**
 * Records events from callbacks (messages, peer events) and lets a test wait until a condition
 * over them holds, re-checking on each new event instead of sleeping. A wait gives up after a
 * bounded number of further events, so a condition that can no longer come true fails with a
 * message that says what was awaited; if events simply stop, the test runner's timeout ends it.
 */
export class EventLog<T> {
  readonly #events: T[] = [];
  #waiters: Waiter<T>[] = [];

  get events(): readonly T[] {
    return this.#events;
  }

  /** Records an event; pass it as (or call it from) a handler. */
  readonly push = (event: T): void => {
    this.#events.push(event);
    const still: Waiter<T>[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.condition(this.#events)) waiter.resolve(this.#events);
      else if (this.#events.length >= waiter.budget) {
        waiter.reject(
          new Error(
            `${waiter.what}: not reached within ${waiter.maxEvents} more events (${this.#events.length} recorded)`,
          ),
        );
      } else still.push(waiter);
    }
    this.#waiters = still;
  };

  /**
   * Resolves with the events once `condition` holds over them (at once if it holds now).
   * Rejects once `maxEvents` more events have arrived without it holding.
   */
  waitFor(
    what: string,
    condition: (events: readonly T[]) => boolean,
    maxEvents: number,
  ): Promise<readonly T[]> {
    if (condition(this.#events)) return Promise.resolve(this.#events);
    return new Promise((resolve, reject) => {
      const budget = this.#events.length + maxEvents;
      this.#waiters.push({ what, condition, maxEvents, budget, resolve, reject });
    });
  }
}

interface Waiter<T> {
  readonly what: string;
  readonly condition: (events: readonly T[]) => boolean;
  readonly maxEvents: number;
  readonly budget: number;
  readonly resolve: (events: readonly T[]) => void;
  readonly reject: (error: Error) => void;
}
