import { KithError } from '../errors.ts';

/** Why a history export was refused, for the line `ExportError.line` names. */
export type ExportErrorCode =
  /** Not a Kith history export: no header line, or another format. */
  | 'EXPORT_NOT_KITH'
  /** Not a Telegram Desktop JSON export (neither one chat nor a whole account). */
  | 'EXPORT_NOT_TELEGRAM'
  /** A format version this code does not read. */
  | 'EXPORT_UNSUPPORTED_VERSION'
  /** A line that is not JSON, or a field missing or of the wrong type. */
  | 'EXPORT_MALFORMED'
  /** A record whose content is not valid MIMI content or does not hash to its message ID. */
  | 'EXPORT_MISMATCH'
  /** Larger than `ImportLimits` allow. */
  | 'EXPORT_TOO_LARGE';

/** A Kith history export that cannot be read; `line` is 1-based (0: the file as a whole). */
export class ExportError extends KithError<ExportErrorCode> {
  override readonly name = 'ExportError';
  readonly line: number;

  constructor(code: ExportErrorCode, line: number, message: string, options?: { cause?: unknown }) {
    super(code, line === 0 ? message : `line ${line}: ${message}`, options);
    this.line = line;
  }
}
