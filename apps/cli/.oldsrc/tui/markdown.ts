import { sanitize, seg, type Segment } from './text.ts';
import { inlineSegments, join, type InlineOptions } from './markdown-inline.ts';

/**
 * GFM-MIMI Markdown as terminal styling: headings, emphasis, code, code blocks, lists, quotes,
 * links and mentions. Styles are SGR parameter lists the screen writer wraps each run in; the
 * text itself goes through `sanitize`, so no escape sequence ever comes from a message.
 *
 * Core's Markdown scanner (content/markdown*.ts) finds HTML and mentions but builds no tree;
 * this is the small block-and-inline reading a chat line needs. Line breaks are kept as typed
 * (a chat message is written line by line), so a paragraph's soft breaks stay breaks.
 */
export type MarkdownOptions = InlineOptions;

const MarkdownStyle = {
  heading: '1;4',
  code: '36',
  quote: '2',
  bullet: '33',
  rule: '2',
} as const;

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const QUOTE = /^ {0,3}> ?/;
const LIST = /^([ \t]*)([-*+]|\d{1,9}[.)])[ \t]+(.*)$/;
const TASK = /^\[([ xX])\][ \t]+/;

/** The styled runs of a Markdown message, lines separated by '\n' runs. */
export function markdownSegments(markdown: string, options: MarkdownOptions = {}): Segment[] {
  const out: Segment[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let fence: string | undefined;
  let first = true;
  const newline = (): void => {
    if (!first) out.push(seg('\n'));
    first = false;
  };
  for (const line of lines) {
    if (fence !== undefined) {
      const close = FENCE.exec(line);
      if (close?.[1] !== undefined && close[1].startsWith(fence) && close[2]?.trim() === '') {
        fence = undefined;
        continue;
      }
      newline();
      out.push(seg(`  ${sanitize(line)}`, MarkdownStyle.code));
      continue;
    }
    const open = FENCE.exec(line);
    if (open?.[1] !== undefined && !(open[1].startsWith('`') && (open[2] ?? '').includes('`'))) {
      fence = open[1];
      continue;
    }
    newline();
    out.push(...blockLine(line, options));
  }
  // Trailing blank lines say nothing.
  while (out.length > 0 && out.at(-1)?.text === '\n') out.pop();
  return out;
}

/** One line outside code: a heading, a rule, a quote, a list item or paragraph text. */
function blockLine(line: string, options: MarkdownOptions): Segment[] {
  let depth = 0;
  let rest = line;
  for (let m = QUOTE.exec(rest); m !== null && depth < 8; m = QUOTE.exec(rest)) {
    depth++;
    rest = rest.slice(m[0].length);
  }
  const prefix = depth > 0 ? [seg('│ '.repeat(depth), MarkdownStyle.quote)] : [];
  const quoted = depth > 0 ? MarkdownStyle.quote : '';
  if (RULE.test(rest)) return [...prefix, seg('────────', MarkdownStyle.rule)];
  const heading = HEADING.exec(rest);
  if (heading !== null) {
    const style = join(quoted, MarkdownStyle.heading);
    return [...prefix, ...inlineSegments(heading[2] ?? '', style, options)];
  }
  const item = LIST.exec(rest);
  if (item !== null) {
    const indent = ' '.repeat(Math.min(8, Math.floor(columns(item[1] ?? '') / 2) * 2));
    const marker = item[2] ?? '-';
    let body = item[3] ?? '';
    let bullet = /\d/.test(marker) ? `${marker.slice(0, -1)}. ` : '• ';
    const task = TASK.exec(body);
    if (task !== null) {
      bullet += task[1] === ' ' ? '☐ ' : '☑ ';
      body = body.slice(task[0].length);
    }
    return [
      ...prefix,
      seg(indent),
      seg(bullet, join(quoted, MarkdownStyle.bullet)),
      ...inlineSegments(body, quoted, options),
    ];
  }
  return [...prefix, ...inlineSegments(rest, quoted, options)];
}

function columns(indent: string): number {
  return indent.replace(/\t/g, '    ').length;
}
