import { useEffect, useRef, useState } from 'preact/hooks';
import type { RoomId, UserId } from '@kith/core';
import type { MessageItem } from '../model/message-items.ts';
import type { Messenger } from '../model/messenger.ts';
import { dayLabeller, timelineRows } from '../model/timeline-rows.ts';
import { Composer, type Draft } from './composer.tsx';
import { Confirm } from './confirm.tsx';
import { MessageView, type MessageActions } from './message-view.tsx';
import { RoomHeader } from './room-header.tsx';
import { ThreadPanel } from './thread-panel.tsx';
import { Uploads } from './uploads.tsx';
import { useMessenger } from './use-messenger.ts';
import { VirtualList, type VirtualListHandle } from './virtual-list.tsx';

/** A room: its header, its timeline, who is typing, and the composer. */
export function RoomView({ messenger, roomId }: { messenger: Messenger; roomId: RoomId }) {
  useMessenger(messenger);
  // The "new messages" marker stays where the room was read up to when it was opened.
  const [openedAt] = useState(() => messenger.readPosition(roomId));
  const [draft, setDraft] = useState<Draft>({ kind: 'new' });
  const [retracting, setRetracting] = useState<MessageItem | undefined>();
  const [thread, setThread] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [pending, setPending] = useState<File | undefined>();
  const messages = messenger.messages(roomId);
  const rows = timelineRows(messages, openedAt, dayLabeller(Date.now()));
  const list = useRef<VirtualListHandle | undefined>(undefined);
  const newest = messages.at(-1)?.messageId;

  // What is shown while the tab is visible is read.
  useEffect(() => {
    if (document.visibilityState === 'visible')
      void messenger.markRead(roomId).catch(() => undefined);
  }, [messenger, roomId, newest]);

  const fail = (what: string) => (e: unknown) => {
    setError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  };
  const actions: MessageActions = {
    reply: (m) => {
      setDraft({ kind: 'reply', to: m });
    },
    edit: (m) => {
      setDraft({ kind: 'edit', of: m });
    },
    retract: (m) => {
      setRetracting(m);
    },
    react: (m, emoji) => {
      messenger.toggleReaction(roomId, m.messageId, emoji).catch(fail('Reaction not sent'));
    },
    thread: (m) => {
      setThread(m.messageId);
    },
  };
  const replies = messenger.threadReplies(roomId);
  const may = {
    retractOthers: messenger.can(roomId, 'canDeleteOtherMessage'),
    react: messenger.can(roomId, 'canReactToMessage'),
    send: messenger.can(roomId, 'canSendMessage'),
  };
  const typing = messenger.typing(roomId);
  const active = messenger.device.client.room(roomId).active;
  const reader = { me: messenger.me, nameOf: (u: UserId) => messenger.nameOf(u) };
  const place = { roomId, files: messenger.files };

  return (
    <section class="room-view" aria-labelledby="room-heading">
      <RoomHeader messenger={messenger} roomId={roomId} />
      <div class="room-body">
        <div
          class="room-main"
          onDragOver={(e) => {
            if (e.dataTransfer?.types.includes('Files') === true) e.preventDefault();
          }}
          onDrop={(e) => {
            const file = e.dataTransfer?.files[0];
            if (file === undefined) return;
            e.preventDefault();
            if (active && may.send) setPending(file);
          }}
        >
          <VirtualList
            class="timeline"
            label="Messages"
            rows={rows}
            handle={list}
            render={(row) =>
              row.kind === 'day' ? (
                <div class="day-divider" role="separator" aria-label={row.label}>
                  <span>{row.label}</span>
                </div>
              ) : row.kind === 'new' ? (
                <div id="new-marker" class="new-marker" role="separator" aria-label="New messages">
                  <span>New messages</span>
                </div>
              ) : (
                <MessageView
                  m={row.message}
                  me={reader}
                  may={may}
                  actions={actions}
                  replies={replies.get(row.message.messageId) ?? 0}
                  place={place}
                />
              )
            }
          >
            {rows.length === 0 && <p class="muted empty">No messages yet. Say hello.</p>}
            {rows.some((r) => r.kind === 'new') && (
              <button
                type="button"
                class="jump"
                onClick={() => {
                  list.current?.scrollToKey('new');
                }}
              >
                Jump to first unread
              </button>
            )}
          </VirtualList>
          {!active && (
            <p role="status" class="notice">
              You are no longer in this room: you were removed, or left. You keep what you have
              read, and see nothing sent here since.
            </p>
          )}
          <p class="typing" aria-live="polite">
            {typing.length === 0
              ? ''
              : `${typing.join(', ')} ${typing.length === 1 ? 'is' : 'are'} typing…`}
          </p>
          {error !== '' && (
            <p role="alert" class="error">
              {error}{' '}
              <button
                type="button"
                onClick={() => {
                  setError('');
                }}
              >
                Dismiss
              </button>
            </p>
          )}
          <Uploads files={messenger.files} roomId={roomId} />
          <Composer
            key={roomId}
            pending={pending}
            onPending={setPending}
            messenger={messenger}
            roomId={roomId}
            draft={draft}
            disabled={!active || !may.send}
            {...(active ? {} : { why: 'You are no longer in this room' })}
            onDone={() => {
              list.current?.scrollToEnd();
              setDraft({ kind: 'new' });
            }}
            onError={fail('Not sent')}
          />
        </div>
        {thread !== undefined && (
          <ThreadPanel
            key={thread}
            messenger={messenger}
            roomId={roomId}
            threadId={thread}
            reader={reader}
            may={may}
            actions={actions}
            onClose={() => {
              setThread(undefined);
            }}
            onError={fail('Not sent')}
          />
        )}
      </div>
      {retracting !== undefined && (
        <Confirm
          question="Delete this message for everyone in the room?"
          action="Delete"
          onAnswer={(yes) => {
            const m = retracting;
            setRetracting(undefined);
            if (yes) messenger.retract(roomId, m.messageId).catch(fail('Not deleted'));
          }}
        />
      )}
    </section>
  );
}
