import { useEffect, useState } from 'preact/hooks';
import { QrCode } from './qr-code.tsx';

/** What the panel needs of a device's `devices` (`UserDevices` of @kith/runtime). */
interface DeviceManager {
  list(): readonly {
    readonly deviceId: string;
    readonly shortId: string;
    readonly name: string;
    readonly addedAt: number;
    readonly current: boolean;
    readonly connected: boolean;
    readonly lastSeen: number | undefined;
  }[];
  revoke(nameOrId: string): Promise<unknown>;
  readonly linker: {
    create(): { readonly text: string; readonly expiresAt: number };
    requests(): readonly {
      readonly deviceId: string;
      readonly deviceName: string;
      readonly code: string;
    }[];
    decide(deviceId: never, accept: boolean): boolean;
    on(listener: () => void): () => void;
  };
}

/** The device's `devices`, if it has them (KithBrowser does; a test double may not). */
function devicesOf(device: object): DeviceManager | undefined {
  return 'devices' in device ? (device.devices as DeviceManager) : undefined;
}

/** The panel of the device's own devices, or nothing for a device without them. */
export function DevicesPanel({ device }: { device: object }) {
  const devices = devicesOf(device);
  return devices === undefined ? null : <DeviceList devices={devices} />;
}

/**
 * The user's devices: the list (added, connected or last seen), a one-time link with its QR
 * code for a new device, the code a waiting new device shows (confirm only if it matches), and
 * revoking a device.
 */
function DeviceList({ devices }: { devices: DeviceManager }) {
  const [, setTick] = useState(0);
  const [link, setLink] = useState<{ text: string; expiresAt: number }>();
  const [note, setNote] = useState('');
  const refresh = (): void => {
    setTick((n) => n + 1);
  };
  useEffect(() => devices.linker.on(refresh), [devices]);
  const waiting = devices.linker.requests();
  return (
    <section aria-labelledby="devices-heading">
      <h2 id="devices-heading">Your devices</h2>
      <ul>
        {devices.list().map((d) => (
          <li key={d.deviceId}>
            {d.name} <small>{d.shortId}</small> · added {new Date(d.addedAt).toLocaleDateString()} ·{' '}
            {d.current
              ? 'this device'
              : d.connected
                ? 'connected'
                : d.lastSeen === undefined
                  ? 'not seen yet'
                  : `last seen ${new Date(d.lastSeen).toLocaleString()}`}
            {!d.current && (
              <button
                type="button"
                onClick={() => {
                  devices.revoke(d.deviceId).then(
                    () => {
                      setNote(`${d.name} revoked`);
                    },
                    (err: unknown) => {
                      setNote(err instanceof Error ? err.message : String(err));
                    },
                  );
                }}
              >
                Revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {waiting.map((r) => (
        <p key={r.deviceId} role="alert">
          {r.deviceName} shows the code <strong>{r.code}</strong>. Same code on the new device?{' '}
          <button
            type="button"
            onClick={() => {
              devices.linker.decide(r.deviceId as never, true);
              setLink(undefined);
              refresh();
            }}
          >
            Link it
          </button>{' '}
          <button
            type="button"
            onClick={() => {
              devices.linker.decide(r.deviceId as never, false);
              refresh();
            }}
          >
            Decline
          </button>
        </p>
      ))}
      {link === undefined ? (
        <button
          type="button"
          onClick={() => {
            try {
              setLink(devices.linker.create());
            } catch (err) {
              setNote(err instanceof Error ? err.message : String(err));
            }
          }}
        >
          Link a new device
        </button>
      ) : (
        <div>
          <p>
            Open this on the new device (<code>kith link</code>), until{' '}
            {new Date(link.expiresAt).toLocaleTimeString()}. It works once.
          </p>
          <QrCode text={link.text.toUpperCase()} label="Device link QR code" />
          <textarea readOnly value={link.text} aria-label="Device link" />
        </div>
      )}
      {note !== '' && <p role="status">{note}</p>}
    </section>
  );
}
