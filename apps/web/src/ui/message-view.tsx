import type { MessageItem } from '../model/message-items.ts';
import { durationText } from '../model/room-admin.ts';
import { FileView, type FilePlace } from './file-view.tsx';
import { MarkdownView, type Reader } from './markdown-view.tsx';

const QUICK_REACTIONS = ['👍', '❤️', '😂'];

export interface MessageActions {
  readonly reply: (m: MessageItem) => void;
  readonly edit: (m: MessageItem) => void;
  readonly retract: (m: MessageItem) => void;
  readonly react: (m: MessageItem, emoji: string) => void;
  /** Opens the thread that starts at this message; undefined inside a thread. */
  readonly thread: ((m: MessageItem) => void) | undefined;
}

/** One message: sender, time, quote, text, reactions, receipt, and what one may do with it. */
export function MessageView({
  m,
  me,
  may,
  actions,
  replies = 0,
  place,
}: {
  m: MessageItem;
  replies?: number;
  /** Where its file (if any) comes from (a page without files leaves it out). */
  place?: FilePlace;
  me: Reader;
  may: { readonly retractOthers: boolean; readonly react: boolean; readonly send: boolean };
  actions: MessageActions;
}) {
  const time = new Date(m.ts).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const classes = ['message', m.mine ? 'mine' : '', m.mentionsMe ? 'mentions-me' : ''].join(' ');
  return (
    <article
      class={classes}
      aria-label={`${m.senderName} at ${time}`}
      data-message-id={m.messageId}
    >
      <header class="message-meta">
        <span class="sender">{m.senderName}</span>{' '}
        <time dateTime={new Date(m.ts).toISOString()}>{time}</time>
        {m.importedBy !== undefined && <span class="muted"> (imported by {m.importedBy})</span>}
        {m.edited && !m.retracted && (
          <details class="versions">
            <summary>(edited)</summary>
            <ol aria-label="Earlier versions">
              {m.versions.map((v, i) => (
                <li key={i}>
                  <time dateTime={new Date(v.ts).toISOString()}>
                    {new Date(v.ts).toLocaleString()}
                  </time>
                  : {v.text}
                </li>
              ))}
            </ol>
          </details>
        )}
        {m.expiresAt !== undefined && !m.retracted && (
          <span class="muted" title={new Date(m.expiresAt).toLocaleString()}>
            {' '}
            ⏱{' '}
            {m.expiresAt > Date.now()
              ? `disappears in ${durationText(m.expiresAt - Date.now())}`
              : 'disappearing'}
          </span>
        )}
      </header>
      {m.quote !== undefined && (
        <blockquote class="quote" aria-label={`In reply to ${m.quote.senderName}`}>
          <span class="sender">{m.quote.senderName}</span>: {m.quote.text}
        </blockquote>
      )}
      {m.retracted ? (
        <p class="muted retracted">Message deleted</p>
      ) : (
        <div class="body">
          {m.file !== undefined && place !== undefined && (
            <FileView file={m.file} messageId={m.messageId} place={place} />
          )}
          <MarkdownView blocks={m.blocks} me={me} />
        </div>
      )}
      {m.reactions.length > 0 && (
        <ul class="reactions" aria-label="Reactions">
          {m.reactions.map((r) => (
            <li key={r.emoji}>
              <button
                type="button"
                class={r.mine ? 'reaction mine' : 'reaction'}
                aria-pressed={r.mine}
                title={r.names.join(', ')}
                aria-label={`${r.emoji} ${r.count}: ${r.names.join(', ')}`}
                disabled={!may.react}
                onClick={() => {
                  actions.react(m, r.emoji);
                }}
              >
                {r.emoji} {r.count}
              </button>
            </li>
          ))}
        </ul>
      )}
      {m.receipt !== undefined && !m.retracted && (
        <p class={`receipt receipt-${m.receipt.state}`}>{m.receipt.text}</p>
      )}
      {!m.retracted && (
        <div class="message-actions" role="group" aria-label="Message actions">
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              aria-label={`React ${emoji}`}
              disabled={!may.react}
              onClick={() => {
                actions.react(m, emoji);
              }}
            >
              {emoji}
            </button>
          ))}
          <button
            type="button"
            disabled={!may.send}
            onClick={() => {
              actions.reply(m);
            }}
          >
            Reply
          </button>
          {actions.thread !== undefined && (
            <button
              type="button"
              onClick={() => {
                actions.thread?.(m);
              }}
            >
              {replies > 0
                ? `Thread (${replies} ${replies === 1 ? 'reply' : 'replies'})`
                : 'Reply in thread'}
            </button>
          )}
          {m.mine && m.file === undefined && (
            <button
              type="button"
              onClick={() => {
                actions.edit(m);
              }}
            >
              Edit
            </button>
          )}
          {(m.mine || may.retractOthers) && (
            <button
              type="button"
              class="danger"
              onClick={() => {
                actions.retract(m);
              }}
            >
              Delete
            </button>
          )}
        </div>
      )}
    </article>
  );
}
