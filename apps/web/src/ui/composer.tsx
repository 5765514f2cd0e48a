import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { RoomId } from '@kith/core';
import type { MessageItem } from '../model/message-items.ts';
import { completeMention, mentionQuery, type MentionQuery } from '../model/mention-complete.ts';
import { formatSize } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import { VoiceButton } from './voice-button.tsx';

export type Draft =
  | { readonly kind: 'new' }
  | { readonly kind: 'reply'; readonly to: MessageItem }
  | { readonly kind: 'edit'; readonly of: MessageItem };

/** Writing a message (Markdown), a reply or an edit. Enter sends, Shift+Enter a new line. */
export function Composer({
  messenger,
  roomId,
  threadId,
  draft,
  disabled,
  why,
  onDone,
  onError,
  pending,
  onPending,
}: {
  messenger: Messenger;
  roomId: RoomId;
  /** Posts in this thread. */
  threadId?: string;
  draft: Draft;
  disabled: boolean;
  /** Why sending is disabled (default: the role). */
  why?: string;
  onDone: () => void;
  onError: (e: unknown) => void;
  /** A file picked, dropped or pasted, sent with the text as its caption (main timeline only). */
  pending?: File | undefined;
  onPending?: (file: File | undefined) => void;
}) {
  const [text, setText] = useState('');
  const field = useRef<HTMLTextAreaElement>(null);
  const typingSince = useRef(0);
  const [mention, setMention] = useState<{ q: MentionQuery; selected: number }>();

  const findMention = (value: string, caret: number): void => {
    const q = mentionQuery(value, caret, messenger.mentionable(roomId));
    setMention(q === undefined ? undefined : { q, selected: 0 });
  };
  const pick = (index: number): void => {
    const el = field.current;
    const person = mention?.q.candidates[index];
    if (el === null || mention === undefined || person === undefined) return;
    const done = completeMention(text, el.selectionStart, mention.q, person);
    setText(done.text);
    setMention(undefined);
    // After the re-render has put the new text in the field.
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(done.caret, done.caret);
    });
  };

  // Before the next input event can land: an edit starts from the message's text.
  useLayoutEffect(() => {
    if (draft.kind === 'edit') setText(draft.of.text);
    field.current?.focus();
  }, [draft]);

  const submit = (): void => {
    const body = text.trim();
    if (pending !== undefined && draft.kind === 'new') {
      setText('');
      onPending?.(undefined);
      onDone();
      messenger.files.send(roomId, pending, body).catch(onError);
      return;
    }
    if (body === '') return;
    setText('');
    typingSince.current = 0;
    const sent =
      draft.kind === 'edit'
        ? messenger.edit(roomId, draft.of.messageId, body)
        : messenger.send(roomId, body, {
            ...(draft.kind === 'reply' ? { replyTo: draft.to.messageId } : {}),
            ...(threadId === undefined ? {} : { threadId }),
          });
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
      {pending !== undefined && (
        <p class="draft-note">
          File to send: <span class="file-name">{pending.name}</span> ({formatSize(pending.size)}){' '}
          <button
            type="button"
            onClick={() => {
              onPending?.(undefined);
            }}
          >
            Remove file
          </button>
        </p>
      )}
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
      <label class="visually-hidden" for={threadId === undefined ? 'composer-text' : 'thread-text'}>
        {threadId === undefined ? 'Message' : 'Reply in thread'}
      </label>
      <textarea
        id={threadId === undefined ? 'composer-text' : 'thread-text'}
        ref={field}
        rows={2}
        value={text}
        disabled={disabled}
        placeholder={
          disabled
            ? (why ?? 'Your role in this room may not send messages')
            : pending !== undefined
              ? 'Caption (optional)'
              : 'Message (Markdown)'
        }
        onPaste={(e) => {
          const file = e.clipboardData?.files[0];
          if (file === undefined || onPending === undefined) return;
          e.preventDefault();
          onPending(file);
        }}
        aria-autocomplete="list"
        aria-controls={mention === undefined ? undefined : 'mention-list'}
        aria-activedescendant={mention === undefined ? undefined : `mention-${mention.selected}`}
        onInput={(e) => {
          setText(e.currentTarget.value);
          findMention(e.currentTarget.value, e.currentTarget.selectionStart);
          // Typing is told at most every 3 s; the engine rate-limits it too.
          const now = Date.now();
          if (now - typingSince.current > 3000) {
            typingSince.current = now;
            messenger.setTyping(roomId, true).catch(() => undefined);
          }
        }}
        onKeyDown={(e) => {
          if (mention !== undefined) {
            const n = mention.q.candidates.length;
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const step = e.key === 'ArrowDown' ? 1 : n - 1;
              setMention({ ...mention, selected: (mention.selected + step) % n });
              return;
            }
            if (e.key === 'Enter' || e.key === 'Tab') {
              e.preventDefault();
              pick(mention.selected);
              return;
            }
            if (e.key === 'Escape') {
              e.preventDefault();
              setMention(undefined);
              return;
            }
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === 'Escape' && draft.kind !== 'new') {
            setText('');
            onDone();
          }
        }}
      />
      {mention !== undefined && (
        <ul id="mention-list" role="listbox" aria-label="People to mention" class="mention-list">
          {mention.q.candidates.map((p, i) => (
            <li
              key={p.userId}
              id={`mention-${i}`}
              role="option"
              aria-selected={i === mention.selected}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(i);
              }}
            >
              @{p.name}
            </li>
          ))}
        </ul>
      )}
      {onPending !== undefined && draft.kind === 'new' && (
        <>
          <AttachButton
            disabled={disabled}
            onFile={(file) => {
              onPending(file);
              field.current?.focus();
            }}
          />
          <VoiceButton
            disabled={disabled}
            onRecorded={(file) => {
              messenger.files.send(roomId, file).catch(onError);
            }}
          />
        </>
      )}
      <button type="submit" disabled={disabled}>
        {draft.kind === 'edit' ? 'Save' : 'Send'}
      </button>
    </form>
  );
}

/** Choosing a file to send: a button opening the browser's file picker. */
function AttachButton({ disabled, onFile }: { disabled: boolean; onFile: (file: File) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        class="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file !== undefined) onFile(file);
        }}
      />
      <button
        type="button"
        disabled={disabled}
        onClick={() => {
          input.current?.click();
        }}
      >
        Attach file
      </button>
    </>
  );
}
