import { AppDevices } from '../app/devices.ts';
import type { KithApp } from '../app/kith-app.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type DeviceCommand = Extract<
  Command,
  { readonly kind: 'devices' | 'linkDevice' | 'revoke' }
>;

/** The composer's table entries of /devices, /link-device and /revoke. */
export const deviceSpecs = {
  devices: {
    usage: '/devices',
    summary: 'your devices: name, when added, connected or last seen',
    parse: (): Command => ({ kind: 'devices' }),
  },
  'link-device': {
    usage: '/link-device [yes|no]',
    summary: 'a one-time link (and QR code) for a new device; yes confirms it once the codes match',
    parse: (w: readonly string[]): Command | string => {
      const answer = w[0];
      if (answer !== undefined && answer !== 'yes' && answer !== 'no') return 'yes or no';
      return { kind: 'linkDevice', answer };
    },
  },
  revoke: {
    usage: '/revoke <device>',
    summary: 'revoke one of your devices (its name or short ID): out of every room, for good',
    parse: (w: readonly string[]): Command | string =>
      w[0] === undefined ? 'name the device' : { kind: 'revoke', device: w[0] },
  },
};

/** Runs /devices, /link-device and /revoke. */
export async function runDeviceCommand(app: KithApp, command: DeviceCommand): Promise<Outcome> {
  const devices = new AppDevices(app.node);
  switch (command.kind) {
    case 'devices':
      return { panel: { title: 'Your devices', lines: deviceLines(devices) } };
    case 'linkDevice':
      return linkDevice(devices, command.answer);
    case 'revoke': {
      const report = await devices.revoke(command.device);
      const failed = report.failed.length === 0 ? '' : `; ${report.failed.length} rooms refused`;
      return {
        notice: {
          kind: 'info',
          text: `revoked ${command.device}: removed from ${report.removedFrom.length} rooms${failed}`,
        },
      };
    }
  }
}

function linkDevice(devices: AppDevices, answer: 'yes' | 'no' | undefined): Outcome {
  const waiting = devices.requests();
  if (answer !== undefined) {
    const first = waiting[0];
    if (first === undefined) return { notice: { kind: 'error', text: 'no new device is waiting' } };
    devices.confirm(first.deviceId, answer === 'yes');
    const text =
      answer === 'yes'
        ? `linking ${first.deviceName}: it joins your rooms now`
        : `declined ${first.deviceName}`;
    return { notice: { kind: 'info', text } };
  }
  if (waiting.length > 0) {
    const lines = waiting.map((r) => `${r.deviceName} shows the code ${r.code}`);
    return {
      panel: {
        title: 'A new device is waiting',
        lines: [
          ...lines,
          '',
          'Same code on the new device? /link-device yes, else /link-device no.',
        ],
      },
    };
  }
  const shown = devices.createLink();
  return {
    mainScreen: [
      'Open this link on your new device: kith link LINK (or scan the code). It works once,',
      `until ${new Date(shown.expiresAt).toLocaleTimeString()}. Both devices will show a code:`,
      'compare them, then /link-device yes here. Whoever has this link can ask to be you.',
      '',
      shown.link,
      '',
      ...shown.qr,
      '',
      'Press any key to go back to the chat.',
    ].join('\n'),
  };
}

function deviceLines(devices: AppDevices): string[] {
  return devices.list().map((d) => {
    const added = new Date(d.addedAt).toISOString().slice(0, 10);
    const seen = d.current
      ? 'this device'
      : d.connected
        ? 'connected'
        : d.lastSeen === undefined
          ? 'not seen yet'
          : `last seen ${new Date(d.lastSeen).toISOString().slice(0, 16).replace('T', ' ')}`;
    return `${d.name} (${d.shortId}) · added ${added} · ${seen}`;
  });
}
