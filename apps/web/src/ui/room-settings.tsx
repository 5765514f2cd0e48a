import { useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import {
  ASSIGNABLE_ROLES,
  durationText,
  type Allowed,
  type AssignableRole,
} from '../model/room-admin.ts';
import { Confirm } from './confirm.tsx';

const DISAPPEAR_CHOICES = [undefined, 60_000, 3_600_000, 86_400_000, 7 * 86_400_000];

/** A button for an action on a member; when the role does not allow it, disabled with the reason. */
function ActionButton({
  label,
  allowed,
  onClick,
  danger,
}: {
  label: string;
  allowed: Allowed;
  onClick: () => void;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      class={danger === true ? 'danger' : undefined}
      disabled={!allowed.ok}
      title={allowed.why}
      aria-label={allowed.why === undefined ? label : `${label} (${allowed.why})`}
      onClick={onClick}
    >
      {label}
    </button>
  );
}

/** The room's members with roles, kicking and banning, disappearing messages, and leaving. */
export function RoomSettings({ messenger, roomId }: { messenger: Messenger; roomId: RoomId }) {
  const admin = messenger.moderation.admin(roomId);
  const [note, setNote] = useState('');
  const [asking, setAsking] = useState<{
    question: string;
    action: string;
    run: () => Promise<void>;
  }>();
  const act = (what: string, run: () => Promise<void>): void => {
    setNote(`${what}…`);
    run().then(
      () => {
        setNote(`${what}: done.`);
      },
      (e: unknown) => {
        setNote(`${what} failed: ${e instanceof Error ? e.message : String(e)}`);
      },
    );
  };
  const [name, setName] = useState(admin.name);
  const [topic, setTopic] = useState(admin.topic);
  const ask = (question: string, action: string, run: () => Promise<void>): void => {
    setAsking({ question, action, run });
  };
  return (
    <section class="room-settings" aria-label="Room settings">
      <h2>Room profile</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          act('Saving the room profile', () =>
            messenger.moderation.setRoomProfile(roomId, {
              ...(admin.rename.ok && name !== admin.name ? { name } : {}),
              ...(admin.describe.ok && topic !== admin.topic ? { topic } : {}),
            }),
          );
        }}
      >
        <label>
          Room name
          <input
            value={name}
            disabled={!admin.rename.ok}
            title={admin.rename.why}
            onInput={(e) => {
              setName(e.currentTarget.value);
            }}
          />
        </label>
        <label>
          Topic
          <input
            value={topic}
            disabled={!admin.describe.ok}
            title={admin.describe.why}
            onInput={(e) => {
              setTopic(e.currentTarget.value);
            }}
          />
        </label>
        {admin.rename.why !== undefined && <p class="muted">{admin.rename.why}</p>}
        <button type="submit" disabled={!admin.rename.ok && !admin.describe.ok}>
          Save
        </button>
      </form>
      <h2>Members</h2>
      <ul class="member-list">
        {admin.members.map((m) => (
          <li key={m.userId}>
            <span class="member-name">
              {m.name}
              {m.me ? ' (you)' : ''}
            </span>
            {m.setRole.ok ? (
              <label>
                <span class="visually-hidden">Role of {m.name}</span>
                <select
                  value={m.role}
                  onChange={(e) => {
                    const role = e.currentTarget.value as AssignableRole;
                    act(`Making ${m.name} ${role}`, () =>
                      messenger.moderation.setRole(roomId, m.userId, role),
                    );
                  }}
                >
                  {ASSIGNABLE_ROLES.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </label>
            ) : (
              <span class="muted">{m.role}</span>
            )}
            <ActionButton
              label={`Remove ${m.name}`}
              allowed={m.kick}
              onClick={() => {
                ask(`Remove ${m.name} from the room? They can be invited again.`, 'Remove', () =>
                  messenger.moderation.kick(roomId, m.userId),
                );
              }}
            />
            <ActionButton
              label={`Ban ${m.name}`}
              allowed={m.ban}
              danger
              onClick={() => {
                ask(
                  `Ban ${m.name}? They are removed and cannot be invited until unbanned.`,
                  'Ban',
                  () => messenger.moderation.ban(roomId, m.userId),
                );
              }}
            />
          </li>
        ))}
      </ul>
      {admin.banned.length > 0 && (
        <>
          <h2>Banned</h2>
          <ul class="member-list">
            {admin.banned.map((b) => (
              <li key={b.userId}>
                <span class="member-name">{b.name}</span>
                <ActionButton
                  label={`Unban ${b.name}`}
                  allowed={b.unban}
                  onClick={() => {
                    act(`Unbanning ${b.name}`, () => messenger.moderation.unban(roomId, b.userId));
                  }}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>History</h2>
      <label>
        People who join later may read
        <select
          disabled={!admin.changeSettings.ok}
          title={admin.changeSettings.why}
          value={admin.history}
          onChange={(e) => {
            const history = e.currentTarget.value === 'all' ? 'all' : 'since-joined';
            act('Changing history sharing', () =>
              messenger.moderation.setHistorySharing(roomId, history),
            );
          }}
        >
          <option value="all">The whole history</option>
          <option value="since-joined">Only what is sent after they join</option>
        </select>
      </label>
      <h2>Disappearing messages</h2>
      <label>
        Messages disappear for everyone after
        <select
          disabled={!admin.changeSettings.ok}
          title={admin.changeSettings.why}
          value={String(admin.disappearAfterMs ?? '')}
          onChange={(e) => {
            const v = e.currentTarget.value;
            const ms = v === '' ? undefined : Number(v);
            act('Changing disappearing messages', () =>
              messenger.moderation.setDisappearing(roomId, ms),
            );
          }}
        >
          {DISAPPEAR_CHOICES.map((ms) => (
            <option key={String(ms)} value={String(ms ?? '')}>
              {ms === undefined ? 'Never (off)' : durationText(ms)}
            </option>
          ))}
        </select>
      </label>
      {admin.changeSettings.why !== undefined && <p class="muted">{admin.changeSettings.why}</p>}
      <h2>Export</h2>
      <button
        type="button"
        onClick={() => {
          const { text, fileName } = messenger.exportHistory(roomId);
          const url = URL.createObjectURL(new Blob([text], { type: 'application/jsonl' }));
          const a = document.createElement('a');
          a.href = url;
          a.download = fileName;
          a.click();
          setTimeout(() => {
            URL.revokeObjectURL(url);
          }, 10_000);
          setNote(`Exported to ${fileName}.`);
        }}
      >
        Export history
      </button>
      <h2>Leave</h2>
      <ActionButton
        label="Leave room"
        allowed={admin.leave}
        danger
        onClick={() => {
          ask('Leave this room? You will need a new invitation to come back.', 'Leave', () =>
            messenger.moderation.leave(roomId),
          );
        }}
      />
      {note !== '' && <p role="status">{note}</p>}
      {asking !== undefined && (
        <Confirm
          question={asking.question}
          action={asking.action}
          onAnswer={(yes) => {
            setAsking(undefined);
            if (yes) act(asking.action, asking.run);
          }}
        />
      )}
    </section>
  );
}
