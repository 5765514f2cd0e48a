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
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
