import type { RoomId } from '@kith/core';
import { formatSize } from '@kith/core';
import type { FileTransfers } from '../model/file-transfers.ts';

/** Files on their way out of this room: progress, and cancelling one before it is sent. */
export function Uploads({ files, roomId }: { files: FileTransfers; roomId: RoomId }) {
  const uploads = files.uploads(roomId);
  if (uploads.length === 0) return null;
  return (
    <ul class="uploads" aria-label="Files being sent">
      {uploads.map((u) => (
        <li key={u.id}>
          <span class="file-name">{u.name}</span>{' '}
          {u.error === undefined ? (
            <>
              <progress aria-label={`Sending ${u.name}`} max={Math.max(1, u.size)} value={u.sent} />{' '}
              <span class="muted">
                {formatSize(u.sent)} of {formatSize(u.size)}
              </span>
            </>
          ) : (
            <span role="alert" class="error">
              Not sent: {u.error}
            </span>
          )}{' '}
          <button
            type="button"
            aria-label={`${u.error === undefined ? 'Cancel sending' : 'Dismiss'} ${u.name}`}
            onClick={() => {
              files.cancelUpload(u.id);
            }}
          >
            {u.error === undefined ? 'Cancel' : 'Dismiss'}
          </button>
        </li>
      ))}
    </ul>
  );
}
