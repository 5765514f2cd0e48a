import { KithDevice, type KithDeviceOptions } from '@kith/runtime';
import { installWebCryptoEd25519 } from './crypto/webcrypto-ed25519.ts';
import { BrowserError } from './errors.ts';
import { createBrowserLibp2p, type BrowserNetworkOptions } from './net/create-libp2p.ts';
import { openBrowserDatabase } from './storage/device-database.ts';
import { TabLock } from './tab-lock.ts';

export interface KithBrowserOptions extends KithDeviceOptions, BrowserNetworkOptions {
  /**
   * The device's name on this origin: its IndexedDB database and its tab lock are named after
   * it. One origin can hold several devices (several accounts, or tests).
   */
  readonly name: string;
  /**
   * When another tab has the device open: refuse at once with OPEN_IN_ANOTHER_TAB (default),
   * or wait until that tab closes it (`true`, or until the signal aborts).
   */
  readonly waitForOtherTab?: boolean | AbortSignal;
  /**
   * Told when the browser does not grant persistent storage: it may then evict the device's
   * keys and conversations under storage pressure. The app should tell the user.
   */
  readonly onStorageNotPersisted?: () => void;
}

/**
 * A Kith device in a browser tab: `KithDevice` (@kith/runtime) over IndexedDB, with WebSockets,
 * circuit relay and WebRTC, held by one tab at a time through a Web Lock.
 */
export type KithBrowser = KithDevice;

/** Opens Kith devices in a browser tab (the type and its opener share the name). */
export const KithBrowser = {
  /** Opens device `options.name` in this tab, creating its identity on first start. */
  async open(options: KithBrowserOptions): Promise<KithBrowser> {
    if (!globalThis.isSecureContext || typeof crypto === 'undefined' || !('subtle' in crypto)) {
      throw new BrowserError(
        'NOT_SECURE_CONTEXT',
        'Kith needs a secure context (an https page, or localhost): its keys use WebCrypto',
      );
    }
    if (typeof indexedDB === 'undefined') {
      throw new BrowserError('UNSUPPORTED_BROWSER', 'this browser has no IndexedDB');
    }
    await installWebCryptoEd25519();
    const lock = await TabLock.acquire(options.name, options.waitForOtherTab);
    try {
      void askForPersistence(options.onStorageNotPersisted);
      const db = await openBrowserDatabase(options.name);
      return await KithDevice.open(options, {
        db,
        createLibp2p: createBrowserLibp2p,
        onClosed: () => {
          lock.release();
        },
      });
    } catch (error) {
      lock.release();
      throw error;
    }
  },
};

/** Asks the browser to keep this origin's storage; tells the app when it will not. */
async function askForPersistence(onRefused: (() => void) | undefined): Promise<void> {
  const granted = await navigator.storage.persist().catch(() => false);
  if (!granted) onRefused?.();
}
