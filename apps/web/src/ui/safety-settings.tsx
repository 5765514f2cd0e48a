import { useState } from 'preact/hooks';
import type { InvitePolicy } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';

const POLICIES: readonly { value: InvitePolicy; text: string }[] = [
  { value: 'anyone', text: 'Anyone' },
  { value: 'contacts', text: 'My contacts only' },
  { value: 'nobody', text: 'Nobody' },
];

/** Who may invite this person, and the people they block (with unblocking). */
export function SafetySettings({ messenger }: { messenger: Messenger }) {
  const [note, setNote] = useState('');
  const blocked = messenger.safety.blocked();
  const report = (what: string) => (e: unknown) => {
    setNote(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
  };
  return (
    <section aria-labelledby="safety-heading">
      <h2 id="safety-heading">Safety</h2>
      <label>
        Who may invite you to rooms
        <select
          value={messenger.safety.invitePolicy}
          onChange={(e) => {
            const policy = POLICIES.find((p) => p.value === e.currentTarget.value)?.value;
            if (policy !== undefined)
              messenger.safety.setInvitePolicy(policy).catch(report('Changing it'));
          }}
        >
          {POLICIES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.text}
            </option>
          ))}
        </select>
      </label>
      <h3>Blocked</h3>
      {blocked.length === 0 ? (
        <p class="muted">
          Nobody. Blocked people's messages are hidden and their invitations refused.
        </p>
      ) : (
        <ul class="contact-list">
          {blocked.map((b) => (
            <li key={b.userId}>
              <span>{b.displayName}</span>
              <button
                type="button"
                onClick={() => {
                  messenger.safety.unblock(b.userId).catch(report('Unblocking'));
                }}
              >
                Unblock {b.displayName}
              </button>
            </li>
          ))}
        </ul>
      )}
      {note !== '' && <p role="alert">{note}</p>}
    </section>
  );
}
