import { useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import { Composer, type Draft } from './composer.tsx';
import type { Reader } from './markdown-view.tsx';
import { MessageView, type MessageActions } from './message-view.tsx';

/** A thread beside the timeline: its root and replies, and a composer that posts in it. */
export function ThreadPanel({
  messenger,
  roomId,
  threadId,
  reader,
  may,
  actions,
  onClose,
  onError,
}: {
  messenger: Messenger;
  roomId: RoomId;
  threadId: string;
  reader: Reader;
  may: { readonly retractOthers: boolean; readonly react: boolean; readonly send: boolean };
  actions: MessageActions;
  onClose: () => void;
  onError: (e: unknown) => void;
}) {
  const [draft, setDraft] = useState<Draft>({ kind: 'new' });
  const messages = messenger.threadMessages(roomId, threadId);
  const inThread: MessageActions = {
    ...actions,
    reply: (m) => {
      setDraft({ kind: 'reply', to: m });
    },
    edit: (m) => {
      setDraft({ kind: 'edit', of: m });
    },
    thread: undefined,
  };
  return (
    <aside class="thread-panel" aria-labelledby="thread-heading">
      <div class="thread-title">
        <h2 id="thread-heading">Thread</h2>
        <button type="button" onClick={onClose}>
          Close thread
        </button>
      </div>
      <div class="thread-messages" role="log" aria-label="Thread messages">
        {messages.map((m) => (
          <MessageView
            key={m.messageId}
            m={m}
            me={reader}
            may={may}
            actions={inThread}
            place={{ roomId, files: messenger.files }}
          />
        ))}
      </div>
      <Composer
        messenger={messenger}
        roomId={roomId}
        threadId={threadId}
        draft={draft}
        disabled={!may.send}
        onDone={() => {
          setDraft({ kind: 'new' });
        }}
        onError={onError}
      />
    </aside>
  );
}
