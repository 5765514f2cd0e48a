/**
 * Kith in a browser tab. Everything public is exported here by name.
 * The device itself and its network code are shared with Node through @kith/runtime,
 * re-exported here so a web app needs only this package.
 *
 * @module \@kith/browser
 */

export { KithBrowser, type KithBrowserOptions } from './kith-browser.ts';
export { BrowserError, type BrowserErrorCode } from './errors.ts';
export {
  BrowserCallMedia,
  type BrowserCallMediaOptions,
  type BrowserCallStats,
} from './calls/browser-call-media.ts';
export {
  hasWebCryptoEd25519,
  installWebCryptoEd25519,
  webCryptoEd25519,
} from './crypto/webcrypto-ed25519.ts';
export { TabLock } from './tab-lock.ts';
export { createBrowserLibp2p, type BrowserNetworkOptions } from './net/create-libp2p.ts';
export {
  databaseName,
  openBrowserDatabase,
  type BrowserDatabase,
} from './storage/device-database.ts';
export {
  AppData,
  KithDevice,
  Libp2pTransport,
  DeviceError,
  PeerGuard,
  type Contact,
  type DeviceLibp2p,
  type Misbehaviour,
  type DeviceErrorCode,
} from '@kith/runtime';
