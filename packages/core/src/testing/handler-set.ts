/** One registration of a handler; `active` turns false when it is removed. */
export interface Handler<T> {
  readonly fn: (value: T) => void;
  active: boolean;
}

/**
 * The handlers registered on one endpoint. Each registration is its own entry, so the same
 * function registered twice is called twice. An event captures the handlers registered when
 * it happened (`snapshot`), so a handler registered later does not also get events from
 * before it: those it learns from the replay made at registration.
 */
export class HandlerSet<T> {
  readonly #handlers = new Set<Handler<T>>();

  add(fn: (value: T) => void): Handler<T> {
    const handler = { fn, active: true };
    this.#handlers.add(handler);
    return handler;
  }

  /** Removes one registration (removing twice is harmless). */
  remove(handler: Handler<T>): void {
    handler.active = false;
    this.#handlers.delete(handler);
  }

  snapshot(): readonly Handler<T>[] {
    return [...this.#handlers];
  }

  /**
   * Calls each of `handlers` still registered. One that throws does not keep the others from
   * the value; the first error is rethrown afterwards, so a failing handler fails loudly.
   */
  emit(value: T, handlers: readonly Handler<T>[] = this.snapshot()): void {
    const errors: unknown[] = [];
    for (const handler of handlers) {
      if (!handler.active) continue;
      try {
        handler.fn(value);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors[0];
  }

  clear(): void {
    for (const handler of this.#handlers) handler.active = false;
    this.#handlers.clear();
  }
}
