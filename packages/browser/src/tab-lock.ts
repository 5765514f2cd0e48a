import { BrowserError } from './errors.ts';

/**
 * The Web Lock that makes one tab the device: held from open to close. A second tab asking
 * for it is refused at once (or, when it chooses to wait, gets it when the first tab closes or
 * is closed by the user), so two tabs never run one device.
 */
export class TabLock {
  /** The Web Lock's name (`kith-device:<device name>`). */
  readonly name: string;
  readonly #release: () => void;
  #released = false;

  private constructor(name: string, release: () => void) {
    this.name = name;
    this.#release = release;
  }

  /**
   * Takes the lock of device `device`. With `wait`, waits until the tab holding it lets go
   * (or `wait` aborts); without, refuses with OPEN_IN_ANOTHER_TAB.
   */
  static async acquire(device: string, wait?: AbortSignal | boolean): Promise<TabLock> {
    if (typeof navigator === 'undefined' || !('locks' in navigator)) {
      throw new BrowserError('UNSUPPORTED_BROWSER', 'this browser has no Web Locks API');
    }
    const name = `kith-device:${device}`;
    const options: LockOptions =
      wait === undefined || wait === false
        ? { ifAvailable: true }
        : wait === true
          ? {}
          : { signal: wait };
    return new Promise<TabLock>((resolve, reject) => {
      navigator.locks
        .request(name, options, (lock) => {
          if (lock === null) {
            reject(
              new BrowserError(
                'OPEN_IN_ANOTHER_TAB',
                `Kith device "${device}" is open in another tab: use that tab, or close it and try again`,
              ),
            );
            return undefined;
          }
          // The lock is held as long as this promise is pending.
          return new Promise<void>((release) => {
            resolve(new TabLock(name, release));
          });
        })
        .catch(reject);
    });
  }

  /** True once `release` ran: the device is closed in this tab. */
  get released(): boolean {
    return this.#released;
  }

  /** Lets go of the lock: another tab may now open the device. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }
}
