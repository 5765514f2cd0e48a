import { fileURLToPath } from 'node:url';
import {
  bytes,
  choice,
  duration,
  file,
  hostPort,
  integer,
  multiaddrs,
  text,
  type HostPort,
  type ValueKind,
  webDirectory,
} from './values.ts';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * One setting. Its name in the config file is `key` (dots are nesting); its flag and environment
 * variable are derived from it: `circuit.maxReservations` is `--circuit-max-reservations` and
 * `KITH_RELAY_CIRCUIT_MAX_RESERVATIONS`. One table drives parsing, `--help` and the README.
 */
export interface Setting<T> {
  readonly key: string;
  readonly kind: ValueKind<T>;
  /**
   * The default as an operator would write it; undefined for a setting that must be given
   * (unless it is `optional`).
   */
  readonly default: unknown;
  /** May be left out: its value is then undefined. */
  readonly optional?: boolean;
  /** A list, given as a repeated flag, a JSON array, or one variable separated by commas. */
  readonly list?: boolean;
  /** A path: relative paths are taken from the working directory, or the config file's. */
  readonly path?: boolean;
  readonly summary: string;
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

const DEFAULT_LISTEN = ['/ip4/0.0.0.0/tcp/4011', '/ip4/0.0.0.0/tcp/4012/ws'];
/** Added to the default listen addresses when a certificate is configured. */
export const DEFAULT_WSS_LISTEN = '/ip4/0.0.0.0/tcp/4443/tls/ws';

/** The web messenger's build in this repository, which `--web` alone serves. */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const tcpBased = (address: string): string | undefined =>
  !address.includes('/tcp/')
    ? 'is not a TCP, WebSockets or secure WebSockets address'
    : address.includes('/p2p')
      ? 'must not name a peer (/p2p/...); the relay adds its own'
      : undefined;

const notCircuit = (address: string): string | undefined =>
  address.includes('/p2p-circuit') ? 'is a circuit address; announce direct ones' : undefined;

export const SETTINGS = {
  dataDir: setting({
    key: 'dataDir',
    kind: text,
    default: undefined,
    path: true,
    summary: 'Directory of the identity, the database and the state files (created 0700).',
  }),
  listen: setting({
    key: 'listen',
    kind: multiaddrs('TCP, WebSockets or secure WebSockets multiaddrs to listen on', tcpBased),
    default: DEFAULT_LISTEN,
    list: true,
    summary: `Addresses to listen on for libp2p: TCP, WebSockets (/ws) and secure WebSockets (/tls/ws or /wss, with tls.cert and tls.key), port 0 picks one. With a certificate, the default adds ${DEFAULT_WSS_LISTEN}.`,
  }),
  announce: setting({
    key: 'announce',
    kind: multiaddrs('multiaddrs devices can dial', notCircuit),
    default: [],
    list: true,
    summary:
      'Public addresses to tell devices instead of the listening ones (e.g. behind NAT, or wss through a TLS proxy).',
  }),
  http: setting({
    key: 'http',
    kind: hostPort,
    default: '127.0.0.1:4013',
    summary: 'Where GET /health and GET /metrics answer, or "off". Keep it private.',
  }),
  web: setting({
    key: 'web',
    kind: webDirectory(DEFAULT_WEB_DIR),
    default: undefined,
    optional: true,
    path: true,
    summary:
      'Serve the web messenger (its static build: DIR, or apps/web/dist when --web is given alone) on webListen, so this relay is also the page its people open; the page uses this relay by default. Over https with tls.cert and tls.key.',
  }),
  webListen: setting({
    key: 'webListen',
    kind: hostPort,
    default: '0.0.0.0:4080',
    summary:
      'Where the web messenger is served (with --web). Default port 4080; the page needs https except on loopback.',
  }),
  maxConnections: setting({
    key: 'maxConnections',
    kind: integer(1, 100_000),
    default: 1000,
    summary: 'libp2p connections held at once; beyond it the least useful are closed.',
  }),
  connectionsPerSecondPerIp: setting({
    key: 'connectionsPerSecondPerIp',
    kind: integer(1, 100_000),
    default: 20,
    summary:
      'New connections one IP address may open per second (devices behind one NAT share it; libp2p allows 5).',
  }),
  tlsCert: setting({
    key: 'tls.cert',
    kind: file,
    default: undefined,
    optional: true,
    path: true,
    summary:
      'PEM certificate (chain) for the secure WebSockets addresses, which browsers dial. Reloaded on SIGHUP with tls.key.',
  }),
  tlsKey: setting({
    key: 'tls.key',
    kind: file,
    default: undefined,
    optional: true,
    path: true,
    summary: 'PEM private key of tls.cert (reloaded with it).',
  }),
  logLevel: setting({
    key: 'logLevel',
    kind: choice(LOG_LEVELS),
    default: 'info',
    summary: 'Least severe level written to stderr as JSON lines.',
  }),
  maxReservations: setting({
    key: 'circuit.maxReservations',
    kind: integer(0, 100_000),
    default: 256,
    summary: 'Devices that may be reachable through this relay at once (0: no circuit relay).',
  }),
  reservationTtl: setting({
    key: 'circuit.reservationTtl',
    kind: duration(60_000, 86_400_000),
    default: '2h',
    summary: 'How long a reservation lasts unless the device renews it.',
  }),
  connectionDuration: setting({
    key: 'circuit.connectionDuration',
    kind: duration(10_000, 86_400_000),
    default: '1h',
    summary:
      'How long one relayed connection may stay open (libp2p default: 2m, too short to chat).',
  }),
  connectionData: setting({
    key: 'circuit.connectionData',
    kind: bytes(64 * 1024, 16 * 1024 ** 3),
    default: '64MiB',
    summary: 'Bytes one relayed connection may carry, both ways together (libp2p default: 128KiB).',
  }),
  retention: setting({
    key: 'mailbox.retention',
    kind: duration(3_600_000, 3650 * 86_400_000),
    default: '14d',
    summary: 'How long stored ciphertext is kept for devices that have not fetched it.',
  }),
  topicQuota: setting({
    key: 'mailbox.topicQuota',
    kind: bytes(1024, 1024 ** 4),
    default: '64MiB',
    summary:
      'Stored bytes per mailbox (one epoch of one conversation); writes beyond it are refused until retention frees space.',
  }),
  peerQuota: setting({
    key: 'mailbox.peerQuota',
    kind: bytes(1024, 1024 ** 4),
    default: '256MiB',
    summary: 'Stored bytes one device may have written; beyond it its writes are refused.',
  }),
  totalQuota: setting({
    key: 'mailbox.totalQuota',
    kind: bytes(1024 ** 2, 64 * 1024 ** 4),
    default: '8GiB',
    summary: 'Stored bytes in all; beyond it writes are refused until retention frees space.',
  }),
  peerRequestsPerMinute: setting({
    key: 'rateLimit.peerRequestsPerMinute',
    kind: integer(1, 1_000_000),
    default: 600,
    summary: 'Store-and-forward requests one device may make per minute.',
  }),
  requestsPerMinute: setting({
    key: 'rateLimit.requestsPerMinute',
    kind: integer(1, 100_000_000),
    default: 60_000,
    summary: 'Store-and-forward requests from all devices together per minute.',
  }),
  peerBytesPerMinute: setting({
    key: 'rateLimit.peerBytesPerMinute',
    kind: bytes(1024, 16 * 1024 ** 3),
    default: '16MiB',
    summary: 'Bytes one device may upload to be stored per minute.',
  }),
  blobMaxFile: setting({
    key: 'blob.maxFile',
    kind: bytes(1024, 64 * 1024 ** 3),
    default: '256MiB',
    summary:
      'Largest file (ciphertext bytes) the blob store keeps; devices are told before they upload.',
  }),
  blobRoomQuota: setting({
    key: 'blob.roomQuota',
    kind: bytes(1024, 1024 ** 4),
    default: '1GiB',
    summary:
      'Blob bytes stored under one room epoch (its mailbox key), however many devices or peer IDs upload them.',
  }),
  blobWriterQuota: setting({
    key: 'blob.writerQuota',
    kind: bytes(1024, 1024 ** 4),
    default: '2GiB',
    summary:
      'Blob bytes stored by one writer: an IPv4 address or IPv6 /64 (peer IDs cost nothing to mint; devices behind one NAT share it).',
  }),
  blobTotalQuota: setting({
    key: 'blob.totalQuota',
    kind: bytes(1024 ** 2, 64 * 1024 ** 4),
    default: '32GiB',
    summary: 'Blob bytes stored in all; beyond it uploads are refused until retention frees space.',
  }),
  blobRetention: setting({
    key: 'blob.retention',
    kind: duration(3_600_000, 3650 * 86_400_000),
    default: '14d',
    summary: 'How long a stored blob is kept after its upload (a member may delete it sooner).',
  }),
} as const;

export type SettingName = keyof typeof SETTINGS;
export type SettingValues = { -readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]> };
type ValueOf<S> = S extends Setting<infer T> ? T : never;

export function flagOf(key: string): string {
  return `--${key.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

export function envOf(key: string): string {
  return `KITH_RELAY_${key
    .replace(/\./g, '_')
    .replace(/[A-Z]/g, (c) => `_${c}`)
    .toUpperCase()}`;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Everything the relay and its services run with, every value checked. */
export interface RelayConfig {
  readonly dataDir: string;
  readonly listen: readonly string[];
  readonly announce: readonly string[];
  /** The health and metrics server's address; undefined when it is off. */
  readonly http: HostPort | undefined;
  /** The web messenger's build and where to serve it; undefined without --web. */
  readonly web: { readonly dir: string; readonly listen: HostPort } | undefined;
  readonly maxConnections: number;
  readonly connectionsPerSecondPerIp: number;
  readonly logLevel: LogLevel;
  /** The secure WebSockets certificate and key files; undefined without secure WebSockets. */
  readonly tls: TlsFiles | undefined;
  readonly circuit: {
    readonly maxReservations: number;
    readonly reservationTtlMs: number;
    readonly connectionDurationMs: number;
    readonly connectionDataBytes: number;
  };
  /** For the store-and-forward services: checked now, enforced by them. */
  readonly mailbox: {
    readonly retentionMs: number;
    readonly topicQuotaBytes: number;
    readonly peerQuotaBytes: number;
    readonly totalQuotaBytes: number;
  };
  /** For the blob store: checked now, enforced by it. */
  readonly blob: {
    readonly maxFileBytes: number;
    readonly roomQuotaBytes: number;
    readonly writerQuotaBytes: number;
    readonly totalQuotaBytes: number;
    readonly retentionMs: number;
  };
  readonly rateLimit: {
    readonly peerRequestsPerMinute: number;
    readonly requestsPerMinute: number;
    readonly peerBytesPerMinute: number;
  };
}

export function toRelayConfig(v: SettingValues): RelayConfig {
  return {
    dataDir: v.dataDir,
    listen: v.listen,
    announce: v.announce,
    http: v.http,
    web:
      v.web === undefined || v.webListen === undefined
        ? undefined
        : { dir: v.web, listen: v.webListen },
    maxConnections: v.maxConnections,
    connectionsPerSecondPerIp: v.connectionsPerSecondPerIp,
    logLevel: v.logLevel,
    tls:
      v.tlsCert === undefined || v.tlsKey === undefined
        ? undefined
        : { certFile: v.tlsCert, keyFile: v.tlsKey },
    circuit: {
      maxReservations: v.maxReservations,
      reservationTtlMs: v.reservationTtl,
      connectionDurationMs: v.connectionDuration,
      connectionDataBytes: v.connectionData,
    },
    mailbox: {
      retentionMs: v.retention,
      topicQuotaBytes: v.topicQuota,
      peerQuotaBytes: v.peerQuota,
      totalQuotaBytes: v.totalQuota,
    },
    blob: {
      maxFileBytes: v.blobMaxFile,
      roomQuotaBytes: v.blobRoomQuota,
      writerQuotaBytes: v.blobWriterQuota,
      totalQuotaBytes: v.blobTotalQuota,
      retentionMs: v.blobRetention,
    },
    rateLimit: {
      peerRequestsPerMinute: v.peerRequestsPerMinute,
      requestsPerMinute: v.requestsPerMinute,
      peerBytesPerMinute: v.peerBytesPerMinute,
    },
  };
}
