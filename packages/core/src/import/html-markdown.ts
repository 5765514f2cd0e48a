/**
 * Matrix's `formatted_body` (a small HTML subset, Matrix spec "HTML messages") to GFM-MIMI
 * Markdown, which is what Kith shows rich text as. The common tags map to their Markdown
 * forms; every other tag is dropped and its text kept; text is escaped so it cannot turn into
 * Markdown syntax of its own. Linear in the input; it never throws.
 */

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?-->/g;

const INLINE: Readonly<Record<string, string>> = {
  b: '**',
  strong: '**',
  i: '_',
  em: '_',
  del: '~~',
  s: '~~',
  strike: '~~',
  code: '`',
};

/** Tags whose content is dropped with them. */
const DROPPED = new Set(['mx-reply', 'script', 'style']);

/** Matrix's HTML subset as GFM-MIMI Markdown (see the module comment above); never throws. */
export function htmlToMarkdown(html: string): string {
  const out: string[] = [];
  /** Open `<a>` tags: where their text starts in `out`, and their href. */
  const links: { start: number; href: string | undefined }[] = [];
  let dropDepth = 0;
  let pre = false;
  let quote = 0;
  let last = 0;
  const text = (raw: string): void => {
    if (dropDepth > 0 || raw === '') return;
    const plain = decodeEntities(raw);
    if (pre) out.push(plain);
    else out.push(escapeMarkdown(plain.replace(/\s*\n\s*/g, ' ')));
  };
  const newline = (): void => {
    out.push(quote > 0 ? `\n${'> '.repeat(quote)}` : '\n');
  };
  for (const m of html.matchAll(TAG)) {
    text(html.slice(last, m.index));
    last = m.index + m[0].length;
    const name = m[2]?.toLowerCase();
    if (name === undefined) continue; // a comment
    const closing = m[1] === '/';
    if (DROPPED.has(name)) {
      dropDepth = Math.max(0, dropDepth + (closing ? -1 : 1));
      continue;
    }
    if (dropDepth > 0) continue;
    const mark = INLINE[name];
    if (mark !== undefined && !pre) out.push(mark);
    else if (name === 'br') newline();
    else if (name === 'p' || name === 'div' || /^h[1-6]$/.test(name)) {
      if (closing) {
        newline();
        newline();
      } else if (/^h[1-6]$/.test(name)) out.push(`${'#'.repeat(Number(name[1]))} `);
    } else if (name === 'pre') {
      pre = !closing;
      out.push(closing ? '\n```\n' : '\n```\n');
    } else if (name === 'blockquote') {
      quote = Math.max(0, quote + (closing ? -1 : 1));
      newline();
      if (!closing) out.push('> ');
    } else if (name === 'li' && !closing) {
      newline();
      out.push('- ');
    } else if (name === 'a') {
      if (!closing) links.push({ start: out.length, href: hrefOf(m[3] ?? '') });
      else {
        const link = links.pop();
        if (link?.href !== undefined) {
          const label = out.splice(link.start).join('');
          out.push(`[${label}](${link.href.replace(/[()\s]/g, encodeURIComponent)})`);
        }
      }
    }
  }
  text(html.slice(last));
  return out
    .join('')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function hrefOf(attributes: string): string | undefined {
  const m = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attributes);
  const href = decodeEntities(m?.[1] ?? m?.[2] ?? '');
  // Only links a person can follow; `javascript:` and friends stay plain text.
  return /^(https?|mailto|matrix):/i.test(href) ? href : undefined;
}

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1));
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : '\uFFFD';
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/** Backslash-escapes the characters that would start Markdown syntax in plain text. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]~<>#|]/g, '\\$&');
}
