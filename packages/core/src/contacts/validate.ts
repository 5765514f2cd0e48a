import { toHex } from '../crypto/bytes.ts';
import { invalidInput } from './errors.ts';
import { ContactLinkLimits as L } from './limits.ts';
import type { ContactLinkInput } from './model.ts';

const encoder = new TextEncoder();

/**
 * Refuses input that `decodeContactLink` would refuse, so every link this build makes can be
 * read back. Checks run-time types too: links are often made from JavaScript or parsed JSON.
 */
export function checkContactLinkInput(input: ContactLinkInput): void {
  checkKey(input.userPublicKey, 'userPublicKey');
  checkDisplayName(input.displayName);
  const devices: unknown = input.devices;
  if (!Array.isArray(devices)) throw invalidInput('devices must be an array');
  if (input.devices.length < L.minDevices || input.devices.length > L.maxDevices) {
    throw invalidInput(
      `${L.minDevices} to ${L.maxDevices} devices expected, got ${input.devices.length}`,
    );
  }
  const seen = new Set<string>();
  input.devices.forEach((device, i) => {
    checkKey(device.publicKey, `devices[${i}].publicKey`);
    const hex = toHex(device.publicKey);
    if (seen.has(hex)) throw invalidInput(`devices[${i}] repeats the key of an earlier device`);
    seen.add(hex);
    checkAddresses(device.addresses, `devices[${i}].addresses`, L.maxAddressesPerDevice);
  });
  checkAddresses(input.relays, 'relays', L.maxRelays);
}

function checkKey(key: unknown, path: string): void {
  if (!(key instanceof Uint8Array) || key.length !== L.publicKeyBytes) {
    throw invalidInput(`${path} must be a ${L.publicKeyBytes}-byte Ed25519 public key`);
  }
}

function checkDisplayName(name: unknown): void {
  if (typeof name !== 'string') throw invalidInput('displayName must be a string');
  // A lone surrogate has no UTF-8 form; TextEncoder would silently turn it into U+FFFD.
  if (/\p{Cs}/u.test(name)) throw invalidInput('displayName contains a lone surrogate');
  const length = encoder.encode(name).length;
  if (length > L.maxDisplayNameBytes) {
    throw invalidInput(
      `displayName must be at most ${L.maxDisplayNameBytes} UTF-8 bytes, got ${length}`,
    );
  }
}

function checkAddresses(addresses: unknown, path: string, max: number): void {
  if (!Array.isArray(addresses)) throw invalidInput(`${path} must be an array`);
  if (addresses.length > max) {
    throw invalidInput(`${path}: at most ${max} addresses, got ${addresses.length}`);
  }
  addresses.forEach((address: unknown, i) => {
    if (
      !(address instanceof Uint8Array) ||
      address.length < L.minAddressBytes ||
      address.length > L.maxAddressBytes
    ) {
      throw invalidInput(
        `${path}[${i}] must be ${L.minAddressBytes} to ${L.maxAddressBytes} bytes`,
      );
    }
  });
}
