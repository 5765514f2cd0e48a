import { useState } from 'preact/hooks';
import type { RoomId, UserId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import { durationText } from '../model/room-admin.ts';
import { Avatar } from './avatar.tsx';
import { RoomSettings } from './room-settings.tsx';

/** The room's name, members, and inviting a contact (disabled, with why, when one may not). */
export function RoomHeader({ messenger, roomId }: { messenger: Messenger; roomId: RoomId }) {
  const room = messenger.device.client.room(roomId);
  const members = room.participants.filter((p) => p.role !== 'banned');
  const inRoom = new Set(members.map((p) => p.userId));
  const candidates = messenger.contacts().filter((c) => !inRoom.has(c.userId));
  const mayInvite = room.active && room.kind !== 'dm' && messenger.can(roomId, 'canAddParticipant');
  const [who, setWho] = useState('');
  const [note, setNote] = useState('');
  const [settings, setSettings] = useState(false);
  const name =
    room.kind === 'dm'
      ? members
          .filter((p) => p.userId !== messenger.me)
          .map((p) => messenger.nameOf(p.userId))
          .join(', ') || 'Direct message'
      : room.name || 'Unnamed room';
  const why = !room.active
    ? 'You are no longer in this room'
    : room.kind === 'dm'
      ? 'A direct message is between two people'
      : !messenger.can(roomId, 'canAddParticipant')
        ? 'Your role in this room may not invite'
        : candidates.length === 0
          ? 'All your contacts are here'
          : undefined;
  return (
    <header class="room-header">
      <div class="room-title">
        <Avatar id={roomId} name={name} image={room.kind === 'dm' ? undefined : room.avatar} />
        <h1 id="room-heading">{name}</h1>
        <button
          type="button"
          aria-expanded={settings}
          aria-controls="room-settings"
          onClick={() => {
            setSettings(!settings);
          }}
        >
          Room settings
        </button>
      </div>
      {room.topic !== '' && <p class="topic">{room.topic}</p>}
      <p class="muted sync">{messenger.syncText(roomId)}</p>
      {room.disappearAfterMs !== undefined && (
        <p class="muted">⏱ Messages disappear after {durationText(room.disappearAfterMs)}</p>
      )}
      <p class="muted">
        {members.length} {members.length === 1 ? 'member' : 'members'}:{' '}
        {members.map((p) => messenger.nameOf(p.userId)).join(', ')}
      </p>
      <form
        class="invite"
        onSubmit={(e) => {
          e.preventDefault();
          if (who === '') return;
          setNote('Inviting…');
          messenger.invite(roomId, who as UserId).then(
            () => {
              setWho('');
              setNote('Invited.');
            },
            (err: unknown) => {
              setNote(`Not invited: ${err instanceof Error ? err.message : String(err)}`);
            },
          );
        }}
      >
        <label>
          Invite
          <select
            value={who}
            disabled={!mayInvite || candidates.length === 0}
            title={why}
            onChange={(e) => {
              setWho(e.currentTarget.value);
            }}
          >
            <option value="">Choose a contact</option>
            {candidates.map((c) => (
              <option key={c.userId} value={c.userId}>
                {c.displayName}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          disabled={!mayInvite || who === ''}
          aria-describedby={why === undefined ? undefined : 'invite-why'}
        >
          Invite
        </button>
        {why !== undefined && (
          <span id="invite-why" class="muted">
            {why}
          </span>
        )}
        {note !== '' && <span role="status">{note}</span>}
      </form>
      {settings && (
        <div id="room-settings">
          <RoomSettings messenger={messenger} roomId={roomId} />
        </div>
      )}
    </header>
  );
}
