import { BrowserError, KithBrowser } from '@kith/browser';
import { Messenger } from './model/messenger.ts';

/** What the person chose at onboarding, kept in this origin's localStorage. */
export interface Settings {
  readonly displayName: string;
  readonly deviceName: string;
  readonly relays: readonly string[];
}

const SETTINGS_KEY = 'kith.settings';
/** The device's IndexedDB database and tab lock are named after it: one account per origin. */
const DEVICE = 'kith';

export function loadSettings(): Settings | undefined {
  const raw = localStorage.getItem(SETTINGS_KEY);
  if (raw === null) return undefined;
  try {
    const s = JSON.parse(raw) as Partial<Settings>;
    if (typeof s.displayName !== 'string' || typeof s.deviceName !== 'string') return undefined;
    return {
      displayName: s.displayName,
      deviceName: s.deviceName,
      relays: Array.isArray(s.relays) ? s.relays.filter((r) => typeof r === 'string') : [],
    };
  } catch {
    return undefined;
  }
}

export function saveSettings(settings: Settings): void {
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
}

/** Why this browser cannot run Kith, or undefined when it can. */
export function unsupported(): string | undefined {
  if (!globalThis.isSecureContext) {
    return (
      'Kith needs a secure context: open this page over https, or from this computer as ' +
      'http://127.0.0.1 or http://localhost. Its keys use WebCrypto, which browsers offer only there.'
    );
  }
  if (typeof indexedDB === 'undefined') return 'This browser has no IndexedDB to keep messages in.';
  return undefined;
}

/** Relays given in the page's address (`?relay=...`, repeatable): onboarding's default. */
export function relaysFromAddress(): string[] {
  return new URLSearchParams(location.search).getAll('relay').filter((r) => r !== '');
}

export interface Opened {
  readonly messenger: Messenger;
  readonly device: KithBrowser;
}

/**
 * Opens this origin's device with the person's settings. A page on loopback may dial ws:// and
 * private addresses (development and tests); anywhere else, relays are reached over wss://.
 */
export async function openDevice(
  settings: Settings,
  waitForOtherTab: boolean,
  onNotPersisted: () => void,
): Promise<Opened> {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(location.hostname);
  const device = await KithBrowser.open({
    name: DEVICE,
    deviceName: settings.deviceName,
    relays: settings.relays,
    dialInsecure: loopback,
    waitForOtherTab,
    onStorageNotPersisted: onNotPersisted,
    onError: (error) => {
      console.warn('kith:', error);
    },
  });
  if (device.client.profile?.userName !== settings.displayName) {
    await device.client.setProfile({ displayName: settings.displayName });
  }
  await device.client.setPresence('online').catch(() => undefined);
  const messenger = new Messenger(device, settings.displayName);
  await messenger.load();
  return { messenger, device };
}

/** A message for an error from opening the device. */
export function describeOpenError(error: unknown): { text: string; otherTab: boolean } {
  if (error instanceof BrowserError && error.code === 'OPEN_IN_ANOTHER_TAB') {
    return { text: 'Kith is open in another tab of this browser.', otherTab: true };
  }
  return { text: error instanceof Error ? error.message : String(error), otherTab: false };
}
