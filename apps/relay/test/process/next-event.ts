/** Resolves with the first event of `type` that `accept` takes, or fails after `timeoutMs`. */
export function nextEvent<T>(
  target: EventTarget,
  type: string,
  what: string,
  accept: (detail: T) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const listener = (event: Event): void => {
      const detail = (event as CustomEvent<T>).detail;
      if (!accept(detail)) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(detail);
    };
    target.addEventListener(type, listener);
  });
}
