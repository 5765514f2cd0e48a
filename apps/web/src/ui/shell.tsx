import { useCallback, useEffect, useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import type { RoomItem } from '../model/room-list.ts';
import { Avatar } from './avatar.tsx';
import { ContactsPanel } from './contacts.tsx';
import { NewRoom } from './new-room.tsx';
import { NotificationsToggle } from './notifications.tsx';
import { RoomView } from './room-view.tsx';
import { useMessenger } from './use-messenger.ts';

type View =
  | { readonly kind: 'contacts' }
  | { readonly kind: 'new-room' }
  | { readonly kind: 'room'; readonly roomId: RoomId };

/** The messenger once open: the connection, the room lists, and the chosen view. */
export function Shell({
  messenger,
  notPersisted,
}: {
  messenger: Messenger;
  notPersisted: boolean;
}) {
  useMessenger(messenger, 1000);
  const [view, setView] = useState<View>({ kind: 'contacts' });
  const lists = messenger.roomLists();
  const status = messenger.connection(navigator.onLine, Date.now());

  useEffect(() => {
    document.title = lists.unread > 0 ? `(${lists.unread}) Kith` : 'Kith';
  }, [lists.unread]);

  const openRoom = useCallback((roomId: RoomId): void => {
    setView({ kind: 'room', roomId });
  }, []);
  const roomButton = (r: RoomItem) => {
    const current = view.kind === 'room' && view.roomId === r.roomId;
    const label = `${r.name}${r.unread > 0 ? `, ${r.unread} unread` : ''}${r.mentions ? ', mentions you' : ''}`;
    return (
      <li key={r.roomId} class="room-item">
        <Avatar id={r.roomId} name={r.name} image={r.avatar} />
        <button
          type="button"
          class={current ? 'room current' : 'room'}
          aria-current={current ? 'page' : undefined}
          aria-label={label}
          onClick={() => {
            openRoom(r.roomId);
          }}
        >
          {r.presence !== undefined && (
            <span class={`presence presence-${r.presence}`} role="img" aria-label={r.presence}>
              ●
            </span>
          )}
          <span class="room-name">{r.name}</span>
          {!r.active && <span class="muted"> (left)</span>}
          {r.unread > 0 && (
            <span class={r.mentions ? 'badge badge-mention' : 'badge'} aria-hidden="true">
              {r.mentions ? '@' : ''}
              {r.unread}
            </span>
          )}
        </button>
      </li>
    );
  };

  return (
    <div class={view.kind === 'room' ? 'shell room-open' : 'shell'}>
      <header class="topbar">
        <span class="brand">Kith</span>
        <span role="status" aria-label="Connection" class={`conn conn-${status.state}`}>
          {status.text}
        </span>
        <NotificationsToggle messenger={messenger} onOpenRoom={openRoom} />
        <span class="me">{messenger.displayName}</span>
      </header>
      {notPersisted && (
        <p class="banner" role="note">
          This browser may delete Kith's storage when space runs low (persistent storage was not
          granted). Export important conversations, or install the page as an app.
        </p>
      )}
      <nav class="sidebar" aria-label="Rooms and people">
        <div class="sidebar-actions">
          <button
            type="button"
            aria-pressed={view.kind === 'contacts'}
            onClick={() => {
              setView({ kind: 'contacts' });
            }}
          >
            Contacts
          </button>
          <button
            type="button"
            aria-pressed={view.kind === 'new-room'}
            onClick={() => {
              setView({ kind: 'new-room' });
            }}
          >
            New room
          </button>
        </div>
        <h2 id="rooms-heading">Rooms</h2>
        <ul aria-labelledby="rooms-heading" class="room-list">
          {lists.rooms.map(roomButton)}
          {lists.rooms.length === 0 && <li class="muted">No rooms yet</li>}
        </ul>
        <h2 id="dms-heading">Direct messages</h2>
        <ul aria-labelledby="dms-heading" class="room-list">
          {lists.dms.map(roomButton)}
          {lists.dms.length === 0 && <li class="muted">No direct messages yet</li>}
        </ul>
      </nav>
      <main class="content">
        {view.kind === 'contacts' && <ContactsPanel messenger={messenger} onOpenRoom={openRoom} />}
        {view.kind === 'new-room' && <NewRoom messenger={messenger} onCreated={openRoom} />}
        {view.kind === 'room' && (
          <>
            <button
              type="button"
              class="back"
              onClick={() => {
                setView({ kind: 'contacts' });
              }}
            >
              ← Rooms
            </button>
            <RoomView key={view.roomId} messenger={messenger} roomId={view.roomId} />
          </>
        )}
      </main>
    </div>
  );
}
