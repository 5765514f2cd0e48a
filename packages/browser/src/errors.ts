import { KithError } from '@kith/core';

/** Why `KithBrowser.open` or a tab lock failed, for the app to tell the user what to do. */
export type BrowserErrorCode =
  /** Another tab (or window, or worker) of this origin has the device open. */
  | 'OPEN_IN_ANOTHER_TAB'
  /** The page is not a secure context (https or localhost): WebCrypto is missing there. */
  | 'NOT_SECURE_CONTEXT'
  /** The browser lacks something a device needs (IndexedDB, Web Locks, WebCrypto). */
  | 'UNSUPPORTED_BROWSER'
  /** IndexedDB refused to open the device's database (private mode, quota, corruption). */
  | 'STORAGE_UNUSABLE';

/** An error of the browser runtime, with a message that says what to do. */
export class BrowserError extends KithError<BrowserErrorCode> {
  override readonly name = 'BrowserError';
}
