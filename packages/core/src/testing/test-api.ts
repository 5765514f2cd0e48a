/**
 * The few test-runner functions the shared port suites use, typed structurally so that core's
 * sources never import vitest: the caller passes `{ describe, it, expect }` from its own runner
 * (vitest's, or any Jest-compatible one).
 */
export interface TestApi {
  readonly describe: (name: string, body: () => void) => void;
  readonly it: (name: string, body: () => Promise<void>, timeoutMs?: number) => void;
  readonly expect: ExpectFn;
}

export type ExpectFn = (actual: unknown, message?: string) => Assertion;

/** The matchers the suites use; every Jest-style `expect` has them. */
export interface Assertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeUndefined(): void;
  toHaveLength(length: number): void;
  toMatchObject(expected: object): void;
  readonly not: Assertion;
}
