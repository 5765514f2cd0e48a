/**
 * One macrotask turn, for simulations that must let pending IO callbacks run: `setImmediate` on
 * Node (no timer clamping), a MessageChannel message in a browser (which has no setImmediate).
 */
export function macrotask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
    .setImmediate;
  if (immediate !== undefined) {
    return new Promise((resolve) => {
      immediate(resolve);
    });
  }
  return new Promise((resolve) => {
    // The browser's MessageChannel (core's test types are Node's, whose ports differ).
    const channel = new MessageChannel() as unknown as {
      port1: { onmessage: (() => void) | null; close(): void };
      port2: { postMessage(message: unknown): void };
    };
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
