import { KithError } from '@kith/core';

export type RelayErrorCode =
  /** A setting is missing, malformed or out of range (the process exits with code 2). */
  | 'CONFIG_INVALID'
  /** Another kith-relay holds the data directory's lock. */
  | 'DATA_DIR_IN_USE'
  /** The data directory cannot be created, read or written. */
  | 'DATA_DIR_UNUSABLE'
  /** The data directory was written by a newer kith-relay than this one. */
  | 'DATA_DIR_TOO_NEW'
  /** DIR/identity exists but does not hold an Ed25519 libp2p private key. */
  | 'IDENTITY_UNUSABLE'
  /** libp2p could not listen on a configured address. */
  | 'LISTEN_FAILED'
  /** The TLS certificate or key cannot be read, parsed or used together. */
  | 'TLS_UNUSABLE'
  /** The health and metrics server could not listen on its address. */
  | 'HTTP_FAILED'
  /** The web app's directory has no build, or its server could not listen (--web). */
  | 'WEB_FAILED'
  /** A relay service failed to start. */
  | 'SERVICE_FAILED'
  /** Part of a shutdown failed (each part is logged; the rest was still done). */
  | 'STOP_FAILED';

/** An error of the relay, with a message that tells the operator what to do. */
export class RelayError extends KithError<RelayErrorCode> {
  override readonly name = 'RelayError';
}

/**
 * A setting that is not usable. `setting` is its name in the config file (`circuit.maxReservations`),
 * so scripts and tests can tell which one without parsing the message.
 */
export class ConfigError extends KithError<'CONFIG_INVALID'> {
  override readonly name = 'ConfigError';
  readonly setting: string;

  constructor(setting: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.setting = setting;
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
