import type { ChatState, MessageItem, SystemItem, TimelineItem } from './state.ts';
import { sanitize, seg, truncate, wrap, type Segment, type Styled } from './text.ts';

const DIM = '2';
/** A message that mentions this user: its sender's name stands out. */
const MENTION = '1;30;43';
const QUOTE_COLUMNS = 32;

/**
 * The timeline area: the newest rows at the bottom, `state.scroll` rows up. Only the items that
 * can show are wrapped, walking back from the newest, so a long history costs nothing to draw.
 */
export function timelineRows(state: ChatState, width: number, height: number): Styled[] {
  const room = state.rooms[state.current];
  if (room === undefined) return hint(welcome(), width);
  if (state.timeline.length === 0) {
    return hint(
      room.active ? ['No messages yet: type one and press Enter.'] : ['You left this room.'],
      width,
    );
  }
  const rows = lastRows(state.timeline, width, height + Math.max(0, state.scroll));
  // Scrolled up: show `height` rows ending `scroll` rows above the newest, never past the top.
  const scroll = Math.min(Math.max(0, state.scroll), Math.max(0, rows.length - height));
  const end = rows.length - scroll;
  const shown = rows.slice(Math.max(0, end - height), end);
  if (scroll > 0) {
    shown[shown.length - 1] = [seg(`── ${scroll} more rows below: PageDown ──`, DIM)];
  }
  // Few rows: they sit at the bottom, next to the composer, as in any chat.
  while (shown.length < height) shown.unshift([]);
  return shown;
}

/** How far up the timeline can scroll: all its rows but one screenful. */
export function scrollLimit(state: ChatState, width: number, height: number): number {
  return Math.max(0, lastRows(state.timeline, width, Infinity).length - height);
}

/** At least the last `want` rows of the timeline (all when it has fewer), whole items only. */
function lastRows(items: readonly TimelineItem[], width: number, want: number): Styled[] {
  const digits = String(items.reduce((n, i) => (i.kind === 'message' ? i.n : n), 0)).length;
  const chunks: Styled[][] = [];
  let count = 0;
  for (let i = items.length - 1; i >= 0 && count < want; i--) {
    const item = items[i];
    if (item === undefined) continue;
    const previous = items[i - 1];
    const own = itemRows(item, width, digits);
    if (previous === undefined || dayOf(previous.ts) !== dayOf(item.ts)) {
      own.unshift([seg(`── ${dateText(item.ts)} ──`, DIM)]);
    }
    chunks.push(own);
    count += own.length;
  }
  return chunks.reverse().flat();
}

function itemRows(item: TimelineItem, width: number, digits: number): Styled[] {
  return item.kind === 'message'
    ? messageRows(item, width, digits)
    : systemRows(item, width, digits);
}

function messageRows(m: MessageItem, width: number, digits: number): Styled[] {
  const lead = `${String(m.n).padStart(digits)} ${timeText(m.ts)} `;
  const indent = lead.length;
  const line: Segment[] = [seg(lead, DIM)];
  if (m.imported === undefined) {
    line.push(
      seg(`${sanitize(m.senderName)}:`, m.mentionsMe === true ? MENTION : m.mine ? '1;36' : '1'),
      seg(' '),
    );
  } else {
    // Imported history: the original author, marked, with the original date and time.
    const when = `${dateText(m.imported.ts)} ${timeText(m.imported.ts)}`;
    line.push(
      seg(sanitize(m.imported.senderName), '1'),
      seg(` (imported, ${when}):`, DIM),
      seg(' '),
    );
  }
  if (m.inThread === true) line.push(seg('↳ ', DIM));
  if (m.quote !== undefined) {
    const quoted =
      'missing' in m.quote
        ? '[↪ a message not here yet]'
        : `[↪ ${sanitize(m.quote.senderName)}: ${truncate(sanitize(m.quote.text), QUOTE_COLUMNS)}]`;
    line.push(seg(quoted, '2;3'), seg(' '));
  }
  const file = m.retracted || m.file === undefined ? undefined : `${m.file}  (/save ${m.n})`;
  if (m.retracted) line.push(seg('(message deleted)', '2;3'));
  else if (file !== undefined && m.text === '') line.push(seg(sanitize(file), '36'));
  else if (m.rich !== undefined) line.push(...m.rich);
  else line.push(seg(sanitize(m.text, true)));
  if (m.edited && !m.retracted) line.push(seg(' (edited)', DIM));
  const mark = receiptMark(m);
  if (mark !== undefined) line.push(seg(mark, DIM));
  const rows = wrap(line, width, indent);
  if (file !== undefined && m.text !== '') {
    rows.push(...wrap([seg(' '.repeat(indent)), seg(sanitize(file), '36')], width, indent));
  }
  if (m.reactions.length > 0) {
    const text = m.reactions.map(([emoji, count]) => `${sanitize(emoji)} ${count}`).join('  ');
    rows.push(...wrap([seg(' '.repeat(indent)), seg(text, '33')], width, indent));
  }
  if (m.threadReplies !== undefined && m.threadReplies > 0) {
    const replies = `${m.threadReplies} in thread: /thread ${m.n}`;
    rows.push(...wrap([seg(' '.repeat(indent)), seg(replies, DIM)], width, indent));
  }
  return rows;
}

/** The mark after an own message (see `receiptOf`). */
function receiptMark(m: Pick<MessageItem, 'receipt' | 'readBy'>): string | undefined {
  switch (m.receipt) {
    case 'sending':
      return ' …';
    case 'sent':
      return ' ✓';
    case 'stored':
    case 'delivered':
      return ' ✓✓';
    case 'read':
      return ` ✓✓ read by ${m.readBy ?? 1}`;
    default:
      return undefined;
  }
}

function systemRows(s: SystemItem, width: number, digits: number): Styled[] {
  const lead = `${' '.repeat(digits)} ${timeText(s.ts)} `;
  return wrap([seg(lead, DIM), seg(`· ${sanitize(s.text)}`, DIM)], width, lead.length + 2);
}

function hint(lines: readonly string[], width: number): Styled[] {
  return lines.flatMap((l) => wrap([seg(l, DIM)], width));
}

function welcome(): string[] {
  return [
    'Welcome to Kith. You have no conversation open yet.',
    '',
    '/link shows your contact link: give it to someone and add theirs with /add <link>.',
    '/new <name> <user...> starts a group, /dm <user> a direct conversation.',
    '/help lists every command; Ctrl-C quits.',
  ];
}

/** Local time of day, HH:MM. */
function timeText(ts: number): string {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

function dateText(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function dayOf(ts: number): string {
  return dateText(ts);
}
