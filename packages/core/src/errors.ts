/**
 * Base of every error Kith throws on purpose. Callers branch on `code` (stable, namespaced by
 * subsystem) rather than on the message text or on `instanceof`, which breaks when two copies
 * of the package are loaded.
 */
export abstract class KithError<Code extends string = string> extends Error {
  abstract override readonly name: string;
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
