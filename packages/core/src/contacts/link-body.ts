import { decodeCbor } from '../cbor/decode.ts';
import { encodeCbor } from '../cbor/encode.ts';
import { CborError } from '../cbor/errors.ts';
import { ShapeReader } from '../cbor/shape.ts';
import type { CborValue } from '../cbor/value.ts';
import { toHex } from '../crypto/bytes.ts';
import { deviceIdFromPublicKey, userIdFromPublicKey } from '../identity/user-id.ts';
import { malformedLink, unsupportedLink } from './errors.ts';
import { ContactLinkLimits as L } from './limits.ts';
import type { ContactLink, ContactLinkDevice, ContactLinkInput } from './model.ts';

/**
 * The body of a contact link: deterministic CBOR
 * `[1, userPublicKey, displayName, [[devicePublicKey, [address...]]...], [relay...]]`.
 */
const FORMAT_VERSION = 1;

/** link > devices > device > addresses; deeper is garbage. */
const MAX_DEPTH = 4;

const shape = new ShapeReader((path, message) => malformedLink(`${path}: ${message}`));

/** The body of input already checked by `checkContactLinkInput`. */
export function encodeLinkBody(input: ContactLinkInput): Uint8Array {
  return encodeCbor(
    [
      FORMAT_VERSION,
      input.userPublicKey,
      input.displayName,
      input.devices.map((device) => [device.publicKey, device.addresses]),
      input.relays,
    ],
    { maxDepth: MAX_DEPTH },
  );
}

/** Reads a body whose checksum was verified: its version first, then its shape. */
export function decodeLinkBody(body: Uint8Array): ContactLink {
  const version = leadingVersion(body);
  if (version !== undefined && version !== FORMAT_VERSION) {
    throw unsupportedLink(version, FORMAT_VERSION);
  }
  let value: CborValue;
  try {
    value = decodeCbor(body, { maxDepth: MAX_DEPTH });
  } catch (error) {
    if (error instanceof CborError) {
      throw malformedLink(`its contents are not canonical CBOR: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
  const [v, userKey, name, devices, relays] = shape.array(value, 'link', 5);
  shape.version(v, FORMAT_VERSION, 'version');
  const userPublicKey = shape.bytes(userKey, 'userPublicKey', L.publicKeyBytes);
  const deviceList = shape.list(devices, 'devices', L.maxDevices, readDevice);
  if (deviceList.length < L.minDevices) shape.fail('devices', 'no device');
  const seen = new Set<string>();
  deviceList.forEach((device, i) => {
    const hex = toHex(device.publicKey);
    if (seen.has(hex)) shape.fail(`devices[${i}]`, 'repeats the key of an earlier device');
    seen.add(hex);
  });
  return {
    userPublicKey,
    userId: userIdFromPublicKey(userPublicKey),
    displayName: shape.text(name, 'displayName', L.maxDisplayNameBytes),
    devices: deviceList,
    relays: shape.list(relays, 'relays', L.maxRelays, readAddress),
  };
}

function readDevice(value: CborValue, path: string): ContactLinkDevice {
  const [key, addresses] = shape.array(value, path, 2);
  const publicKey = shape.bytes(key, `${path}.publicKey`, L.publicKeyBytes);
  return {
    publicKey,
    deviceId: deviceIdFromPublicKey(publicKey),
    addresses: shape.list(addresses, `${path}.addresses`, L.maxAddressesPerDevice, readAddress),
  };
}

function readAddress(value: CborValue, path: string): Uint8Array {
  const address = shape.bytes(value, path);
  if (address.length < L.minAddressBytes || address.length > L.maxAddressBytes) {
    shape.fail(path, `${L.minAddressBytes} to ${L.maxAddressBytes} bytes expected`);
  }
  return address;
}

/**
 * The version of a body that starts like every Kith format, an array whose first element is an
 * unsigned integer, read from the raw bytes: a newer format may nest deeper or use CBOR this
 * decoder refuses, and must still be reported as unsupported. Undefined for any other start.
 */
function leadingVersion(body: Uint8Array): number | bigint | undefined {
  const arrayHead = body[0];
  if (arrayHead === undefined || arrayHead >> 5 !== 4) return undefined;
  const arrayArgument = argumentLength(arrayHead & 31);
  if (arrayArgument === undefined) return undefined;
  const offset = 1 + arrayArgument;
  const head = body[offset];
  if (head === undefined || head >> 5 !== 0) return undefined;
  const length = argumentLength(head & 31);
  if (length === undefined || offset + 1 + length > body.length) return undefined;
  if (length === 0) return head & 31;
  let version = 0n;
  for (const byte of body.subarray(offset + 1, offset + 1 + length)) {
    version = (version << 8n) | BigInt(byte);
  }
  return version <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(version) : version;
}

/** Bytes after a CBOR initial byte with this additional info; undefined for 28 to 31. */
function argumentLength(info: number): number | undefined {
  if (info < 24) return 0;
  return info <= 27 ? 1 << (info - 24) : undefined;
}
