import type { ComponentChildren } from 'preact';
import type { UserId } from '@kith/core';
import type { Block, Inline } from '../model/markdown.ts';

/** This reader, and the name this device knows for a user (a mention's own text is the sender's). */
export interface Reader {
  readonly me: UserId;
  readonly nameOf: (user: UserId) => string;
}

/**
 * Markdown blocks as elements. Every piece of a message's text reaches the DOM as a text node
 * (Preact escapes it); links are only the safe ones the parser kept, and open elsewhere without
 * telling the other site where they came from.
 */
export function MarkdownView({ blocks, me }: { blocks: readonly Block[]; me: Reader }) {
  return <>{blocks.map((b, i) => block(b, i, me))}</>;
}

function block(b: Block, key: number, me: Reader): ComponentChildren {
  switch (b.t) {
    case 'p':
      return <p key={key}>{inlines(b.c, me)}</p>;
    case 'h':
      // Headings inside a message are not the page's outline: bold paragraphs.
      return (
        <p key={key} class="md-heading">
          <strong>{inlines(b.c, me)}</strong>
        </p>
      );
    case 'pre':
      return (
        <pre key={key}>
          <code>{b.v}</code>
        </pre>
      );
    case 'quote':
      return (
        <blockquote key={key}>
          <MarkdownView blocks={b.c} me={me} />
        </blockquote>
      );
    case 'list': {
      const items = b.items.map((item, i) => (
        <li key={i}>
          <MarkdownView blocks={item} me={me} />
        </li>
      ));
      return b.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
    }
  }
}

function inlines(nodes: readonly Inline[], me: Reader): ComponentChildren {
  return nodes.map((n, i) => inline(n, i, me));
}

function inline(n: Inline, key: number, me: Reader): ComponentChildren {
  switch (n.t) {
    case 'text':
      return n.v;
    case 'br':
      return <br key={key} />;
    case 'code':
      return <code key={key}>{n.v}</code>;
    case 'strong':
      return <strong key={key}>{inlines(n.c, me)}</strong>;
    case 'em':
      return <em key={key}>{inlines(n.c, me)}</em>;
    case 'del':
      return <del key={key}>{inlines(n.c, me)}</del>;
    case 'mention':
      return (
        <span key={key} class={n.user === me.me ? 'mention mention-me' : 'mention'}>
          @{me.nameOf(n.user)}
        </span>
      );
    case 'link':
      return (
        <a key={key} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
          {inlines(n.c, me)}
        </a>
      );
  }
}
