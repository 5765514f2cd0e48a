import { ClientError } from './errors.ts';

/**
 * Runs tasks one at a time, in the order they were given: the device's state never sees two
 * changes interleaved, even though each change awaits crypto and storage.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;
  #closed = false;

  get idle(): boolean {
    return this.#pending === 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#pending++;
    const next = this.#tail.then(() => {
      if (this.#closed) throw new ClientError('CLOSED', 'the client is closed');
      return task();
    });
    this.#tail = next
      .catch(() => undefined)
      .finally(() => {
        this.#pending--;
      });
    return next;
  }

  /** Refuses every task queued from now on (with ClientError CLOSED). */
  close(): void {
    this.#closed = true;
  }

  /** Resolves once every task queued so far, and any they queued, has finished. */
  async drain(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.#tail) {
      seen = this.#tail;
      await seen;
    }
  }
}
