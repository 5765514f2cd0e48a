import { useEffect, useState } from 'preact/hooks';
import type { Messenger } from '../model/messenger.ts';

/**
 * Re-renders the component when the messenger changes, at most once a frame (a burst of synced
 * messages is one render), and every `everyMs` for what changes without an event (the relays).
 */
export function useMessenger(messenger: Messenger, everyMs?: number): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let frame: number | undefined;
    const bump = (): void => {
      frame ??= requestAnimationFrame(() => {
        frame = undefined;
        setVersion((v) => v + 1);
      });
    };
    const off = messenger.subscribe(bump);
    const timer = everyMs === undefined ? undefined : setInterval(bump, everyMs);
    window.addEventListener('online', bump);
    window.addEventListener('offline', bump);
    return () => {
      off();
      if (timer !== undefined) clearInterval(timer);
      if (frame !== undefined) cancelAnimationFrame(frame);
      window.removeEventListener('online', bump);
      window.removeEventListener('offline', bump);
    };
  }, [messenger, everyMs]);
  return version;
}
