import { useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { HistoryFormat } from '../model/history-port.ts';
import type { Messenger } from '../model/messenger.ts';

/** Imports a Matrix or Kith export file into a new room, with a progress bar. */
export function ImportHistory({
  messenger,
  onImported,
}: {
  messenger: Messenger;
  onImported: (roomId: RoomId) => void;
}) {
  const [format, setFormat] = useState<HistoryFormat>('kith');
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [note, setNote] = useState('');
  return (
    <section aria-labelledby="import-heading">
      <h2 id="import-heading">Import history</h2>
      <label>
        Format
        <select
          value={format}
          onChange={(e) => {
            setFormat(e.currentTarget.value === 'matrix' ? 'matrix' : 'kith');
          }}
        >
          <option value="kith">Kith export (.jsonl)</option>
          <option value="matrix">Matrix export (JSON)</option>
        </select>
      </label>
      <label>
        Export file
        <input
          type="file"
          accept=".json,.jsonl,application/json"
          disabled={progress !== undefined}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file === undefined) return;
            setNote('');
            setProgress({ done: 0, total: 0 });
            file
              .text()
              .then((text) =>
                messenger.importHistory(format, text, (done, total) => {
                  setProgress({ done, total });
                }),
              )
              .then(
                (r) => {
                  setProgress(undefined);
                  setNote(
                    `Imported ${r.imported} messages${r.skipped > 0 ? `, ${r.skipped} skipped` : ''}.`,
                  );
                  onImported(r.roomId);
                },
                (err: unknown) => {
                  setProgress(undefined);
                  setNote(`Not imported: ${err instanceof Error ? err.message : String(err)}`);
                },
              );
          }}
        />
      </label>
      {progress !== undefined && (
        <progress
          aria-label="Import progress"
          max={progress.total || 1}
          value={progress.total === 0 ? undefined : progress.done}
        />
      )}
      {note !== '' && <p role="status">{note}</p>}
    </section>
  );
}
