import { BlobError } from '@kith/core';
import type { RelayBlobLimits, RelayBlobRefusal } from './relay-blob-wire.ts';

/** How far an upload to one relay is: records it holds of the blob (resumed ones included). */
export interface UploadProgress {
  /** The relay's peer ID. */
  readonly relay: string;
  readonly records: number;
  readonly totalRecords: number;
}

/** How an upload to one relay ended. */
export type RelayUploadOutcome =
  | {
      readonly relay: string;
      readonly status: 'stored';
      /** Records it held before this upload (a resumed upload, or the blob already stored). */
      readonly held: number;
      readonly limits: RelayBlobLimits;
    }
  | {
      readonly relay: string;
      readonly status: 'refused';
      readonly code: RelayBlobRefusal;
      /** The relay's reason, for people (with its limits when a limit refused it). */
      readonly message: string;
    }
  /** Unreachable, or the connection broke: a later upload resumes after what it holds. */
  | { readonly relay: string; readonly status: 'failed'; readonly message: string };

/**
 * A blob going to a room's relays, all at once, so members who are offline now fetch it from
 * them later. `done` resolves with each relay's outcome, or rejects with BLOB_CANCELLED.
 */
export class BlobUpload {
  readonly done: Promise<RelayUploadOutcome[]>;
  readonly #abort = new AbortController();
  readonly #progress = new Set<(p: UploadProgress) => void>();

  /** `run` uploads to every relay, reporting progress; it stops at the signal. */
  constructor(
    run: (
      signal: AbortSignal,
      progress: (p: UploadProgress) => void,
    ) => Promise<RelayUploadOutcome[]>,
  ) {
    const signal = this.#abort.signal;
    this.done = run(signal, (p) => {
      for (const l of this.#progress) l(p);
    }).then((outcomes) => {
      if (signal.aborted) throw signal.reason as BlobError;
      return outcomes;
    });
    this.done.catch(() => undefined); // the caller may only listen to events
  }

  /** Calls `listener` as each relay takes records; returns a function that stops it. */
  onProgress(listener: (p: UploadProgress) => void): () => void {
    this.#progress.add(listener);
    return () => this.#progress.delete(listener);
  }

  /** Stops uploading; `done` rejects with BLOB_CANCELLED. What relays took stays there. */
  cancel(): void {
    this.#abort.abort(new BlobError('BLOB_CANCELLED', 'the upload was cancelled'));
  }
}
