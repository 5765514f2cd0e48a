import { useState } from 'preact/hooks';
import type { RoomId, UserId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import { ImportHistory } from './import-history.tsx';

/** A new group room with some of this person's contacts invited. */
export function NewRoom({
  messenger,
  onCreated,
}: {
  messenger: Messenger;
  onCreated: (roomId: RoomId) => void;
}) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<ReadonlySet<UserId>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const contacts = messenger.contacts();
  return (
    <section class="panel" aria-labelledby="new-room-heading">
      <h1 id="new-room-heading">New room</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          messenger.createRoom(name.trim(), [...chosen]).then(onCreated, (err: unknown) => {
            setBusy(false);
            setError(
              `The room could not be created: ${err instanceof Error ? err.message : String(err)}`,
            );
          });
        }}
      >
        <label>
          Room name
          <input
            required
            value={name}
            onInput={(e) => {
              setName(e.currentTarget.value);
            }}
          />
        </label>
        <fieldset>
          <legend>Invite</legend>
          {contacts.length === 0 && <p class="muted">Add contacts first to invite them.</p>}
          {contacts.map((c) => (
            <label key={c.userId} class="check">
              <input
                type="checkbox"
                checked={chosen.has(c.userId)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.currentTarget.checked) next.add(c.userId);
                  else next.delete(c.userId);
                  setChosen(next);
                }}
              />
              {c.displayName}
            </label>
          ))}
        </fieldset>
        {error !== '' && <p role="alert">{error}</p>}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create room'}
        </button>
      </form>
      <ImportHistory messenger={messenger} onImported={onCreated} />
    </section>
  );
}
