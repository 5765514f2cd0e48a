import { useEffect, useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import { saveName, type FileItem } from '../model/file-item.ts';
import type { FileTransfers } from '../model/file-transfers.ts';

/** Images and voice messages up to this size are fetched as soon as they are shown. */
const AUTO_FETCH_BYTES = 16 * 1024 * 1024;

/** Where a message's file is shown: its room and the page's transfers. */
export interface FilePlace {
  readonly roomId: RoomId;
  readonly files: FileTransfers;
}

/**
 * A message's file: an image inline or a voice message to play once fetched and found to be
 * one by its bytes; else a card with its name, type and size to download and save. What the
 * sender said about it is shown as text only.
 */
export function FileView({
  file,
  messageId,
  place,
}: {
  file: FileItem;
  messageId: string;
  place: FilePlace;
}) {
  const { files, roomId } = place;
  const state = files.state(messageId);
  const [saving, setSaving] = useState(false);
  const declared = file.declaredType.toLowerCase();
  const auto =
    (declared.startsWith('image/') || declared.startsWith('audio/')) &&
    file.size <= AUTO_FETCH_BYTES;
  const name = file.filename === '' ? 'Unnamed file' : file.filename;

  useEffect(() => {
    if (auto && state.kind === 'idle') files.fetch(roomId, messageId);
  }, [auto, state.kind, files, roomId, messageId]);
  // "Download" asked for the file: once it is here, it is saved.
  useEffect(() => {
    if (saving && state.kind === 'ready') {
      setSaving(false);
      const a = document.createElement('a');
      a.href = state.url;
      a.download = saveName(file.filename);
      a.click();
    }
  }, [saving, state, file.filename]);

  if (state.kind === 'ready' && state.display === 'image') {
    return (
      <figure class="file-image">
        <img src={state.url} alt={file.description || name} />
        <figcaption>
          <SaveLink url={state.url} file={file} name={name} />
        </figcaption>
      </figure>
    );
  }
  if (state.kind === 'ready' && state.display === 'audio') {
    return (
      <div class="file-audio">
        <audio controls src={state.url} aria-label={`Voice message, ${file.sizeText}`} />
        <SaveLink url={state.url} file={file} name={name} />
      </div>
    );
  }
  return (
    <div class="file-card" role="group" aria-label={`File ${name}`}>
      <span class="file-name">{name}</span>
      <span class="muted file-meta">
        {file.declaredType || 'unknown type'} · {file.sizeText}
      </span>
      {state.kind === 'idle' && (
        <button
          type="button"
          onClick={() => {
            setSaving(true);
            files.fetch(roomId, messageId);
          }}
        >
          Download
        </button>
      )}
      {state.kind === 'fetching' && (
        <progress
          aria-label={`Downloading ${name}`}
          max={Math.max(1, state.total)}
          value={state.bytes}
        />
      )}
      {state.kind === 'ready' && <SaveLink url={state.url} file={file} name={name} />}
      {state.kind === 'failed' && (
        <span role="alert" class="error">
          Not downloaded: {state.error}{' '}
          <button
            type="button"
            onClick={() => {
              files.fetch(roomId, messageId);
            }}
          >
            Try again
          </button>
        </span>
      )}
    </div>
  );
}

/** A link saving the decrypted bytes under a cleaned name (never opened in the page). */
function SaveLink({ url, file, name }: { url: string; file: FileItem; name: string }) {
  return (
    <a href={url} download={saveName(file.filename)} aria-label={`Save ${name}`}>
      Save ({file.sizeText})
    </a>
  );
}
