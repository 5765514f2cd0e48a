import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { MessageItem } from '../model/message-items.ts';
import type { Messenger } from '../model/messenger.ts';

export type Draft =
  | { readonly kind: 'new' }
  | { readonly kind: 'reply'; readonly to: MessageItem }
  | { readonly kind: 'edit'; readonly of: MessageItem };

/** Writing a message (Markdown), a reply or an edit. Enter sends, Shift+Enter a new line. */
export function Composer({
  messenger,
  roomId,
  draft,
  disabled,
  onDone,
  onError,
}: {
  messenger: Messenger;
  roomId: RoomId;
  draft: Draft;
  disabled: boolean;
  onDone: () => void;
  onError: (e: unknown) => void;
}) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const typingSince = useRef(0);

  // Before the next input event can land: an edit starts from the message's text.
  useLayoutEffect(() => {
    if (draft.kind === 'edit') setText(draft.of.text);
    field.current?.focus();
  }, [draft]);

  const submit = (): void => {
    const body = text.trim();
    if (body === '') return;
    setText('');
    typingSince.current = 0;
    const sent =
      draft.kind === 'edit'
        ? messenger.edit(roomId, draft.of.messageId, body)
        : messenger.send(
            roomId,
            body,
            draft.kind === 'reply' ? { replyTo: draft.to.messageId } : {},
          );
    onDone();
    sent.catch(onError);
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {draft.kind !== 'new' && (
        <p class="draft-note">
          {draft.kind === 'reply'
            ? `Replying to ${draft.to.senderName}: ${draft.to.text.slice(0, 80)}`
            : 'Editing your message'}{' '}
          <button
            type="button"
            onClick={() => {
              setText('');
              onDone();
            }}
          >
            Cancel
          </button>
        </p>
      )}
      <label class="visually-hidden" for="composer-text">
        Message
      </label>
      <textarea
        id="composer-text"
        ref={field}
        rows={2}
        value={text}
        disabled={disabled}
        placeholder={
          disabled ? 'Your role in this room may not send messages' : 'Message (Markdown)'
        }
        onInput={(e) => {
          setText(e.currentTarget.value);
          // Typing is told at most every 3 s; the engine rate-limits it too.
          const now = Date.now();
          if (now - typingSince.current > 3000) {
            typingSince.current = now;
            messenger.setTyping(roomId, true).catch(() => undefined);
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape' && draft.kind !== 'new') {
            setText('');
            onDone();
          }
        }}
      />
      <button type="submit" disabled={disabled}>
        {draft.kind === 'edit' ? 'Save' : 'Send'}
      </button>
    </form>
  );
}
