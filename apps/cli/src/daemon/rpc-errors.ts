import { KithError } from '@kith/core';

/**
 * JSON-RPC error codes of the daemon (docs/PROTOCOL.md §11). The numbers are stable; each error
 * also carries `data.kithCode`, the underlying error's code, for scripts that want more detail.
 */
export const RpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** A missing or wrong bearer token (HTTP 401). */
  unauthorized: -32001,
  unknownRoom: 1001,
  notAMember: 1002,
  notAllowed: 1003,
  unknownMessage: 1004,
  unknownContact: 1005,
  unreachable: 1006,
  badContactLink: 1007,
  badAddress: 1008,
  invalidAction: 1009,
  storageFailed: 1010,
  /** A file refused: too large, mislabelled, unavailable, cancelled (data.kithCode says which). */
  fileRefused: 1011,
} as const;

export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: { readonly kithCode: string };
}

/** Kith error codes to JSON-RPC codes; the message stays the one written for people. */
const BY_KITH_CODE: Record<string, number> = {
  INVALID_PARAMS: RpcErrorCodes.invalidParams,
  UNKNOWN_ROOM: RpcErrorCodes.unknownRoom,
  NOT_IN_ROOM: RpcErrorCodes.notAMember,
  NOT_A_MEMBER: RpcErrorCodes.notAMember,
  NOT_ALLOWED: RpcErrorCodes.notAllowed,
  BANNED: RpcErrorCodes.notAllowed,
  DM_FIXED: RpcErrorCodes.notAllowed,
  NO_OWNER_LEFT: RpcErrorCodes.notAllowed,
  UNKNOWN_MESSAGE: RpcErrorCodes.unknownMessage,
  UNKNOWN_CONTACT: RpcErrorCodes.unknownContact,
  UNREACHABLE: RpcErrorCodes.unreachable,
  BAD_KEY_PACKAGE: RpcErrorCodes.unreachable,
  BAD_ADDRESS: RpcErrorCodes.badAddress,
  INVALID_ARGUMENT: RpcErrorCodes.invalidAction,
  INVALID_CHANGE: RpcErrorCodes.invalidAction,
  STORAGE_FAILED: RpcErrorCodes.storageFailed,
  STORAGE_CORRUPT: RpcErrorCodes.storageFailed,
  STORAGE_LAYOUT: RpcErrorCodes.storageFailed,
  NO_USER_KEY: RpcErrorCodes.notAllowed,
  LINK_REFUSED: RpcErrorCodes.notAllowed,
  LINK_FAILED: RpcErrorCodes.unreachable,
  DEVICE_REVOKED: RpcErrorCodes.notAllowed,
};

export function toRpcError(error: unknown): RpcError {
  if (error instanceof KithError) {
    const kithCode = String(error.code);
    const code = kithCode.startsWith('CONTACT_LINK_')
      ? RpcErrorCodes.badContactLink
      : kithCode.startsWith('CONTENT_') ||
          kithCode.startsWith('EXPORT_') ||
          kithCode.startsWith('BACKUP_')
        ? RpcErrorCodes.invalidParams
        : /^(BLOB|PREVIEW|IMAGE|AUDIO|MEDIA)_/.test(kithCode)
          ? RpcErrorCodes.fileRefused
          : BY_KITH_CODE[kithCode];
    if (code !== undefined) return { code, message: error.message, data: { kithCode } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: RpcErrorCodes.internal, message: `internal error: ${message}` };
}
