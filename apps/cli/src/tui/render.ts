import { composerView } from './editor.ts';
import type { ChatState, Panel, RoomItem, StatusInfo } from './state.ts';
import { fit, sanitize, seg, truncate, widthOf, wrap, type Segment, type Styled } from './text.ts';
import { durationText } from './expire-command.ts';
import { timelineRows } from './timeline-rows.ts';

/** SGR styles used on screen. */
const Style = {
  bar: '7',
  bold: '1',
  dim: '2',
  me: '1;36',
  error: '1;31',
  warning: '33',
  info: '32',
} as const;

const PROMPT = '> ';
/** Narrower than this, the rooms list is hidden and the header names the room. */
const ROOMS_PANE_MIN_WIDTH = 60;

/**
 * The whole screen for `state`: exactly `height` rows, each exactly `width` columns wide (SGR
 * codes aside). Row 0 is the header, then the rooms list beside the timeline (or a panel), then
 * the status line, the notice line and the composer at the bottom.
 */
export function render(state: ChatState, width: number, height: number): string[] {
  if (width < 20 || height < 6) {
    return Array.from({ length: height }, (_, i) =>
      fit(i === 0 ? [seg('window too small')] : [], width),
    );
  }
  const { bodyHeight, paneWidth, mainWidth, contentWidth } = layout(width, height);
  const main =
    state.panel === undefined
      ? timelineRows(state, contentWidth, bodyHeight)
      : panelRows(state.panel, state.scroll, contentWidth, bodyHeight);
  const pane = paneWidth === 0 ? [] : roomRows(state.rooms, state.current, paneWidth, bodyHeight);
  const lines = [fit(header(state, paneWidth === 0), width, Style.bar)];
  for (let i = 0; i < bodyHeight; i++) {
    const right = fit([seg(' '), ...(main[i] ?? [])], mainWidth);
    lines.push(paneWidth === 0 ? right : `${pane[i] ?? ''}${paint('│', Style.dim)}${right}`);
  }
  lines.push(fit(statusLine(state.me, state.status, width), width, Style.bar));
  lines.push(fit(noticeLine(state), width));
  const view = composerView(state.composer, width - widthOf(PROMPT));
  lines.push(fit([seg(PROMPT, Style.bold), seg(view.text)], width));
  return lines;
}

/**
 * How the screen is divided: the rooms list (0 wide when hidden), a separator, and the main area
 * (the timeline or a panel), whose content is `contentWidth` wide after a margin.
 */
export function layout(
  width: number,
  height: number,
): { bodyHeight: number; paneWidth: number; mainWidth: number; contentWidth: number } {
  const paneWidth = width >= ROOMS_PANE_MIN_WIDTH ? Math.min(28, Math.floor(width / 4)) : 0;
  const mainWidth = paneWidth === 0 ? width : width - paneWidth - 1;
  // The timeline keeps one column of margin on its left.
  return { bodyHeight: Math.max(0, height - 4), paneWidth, mainWidth, contentWidth: mainWidth - 1 };
}

/** Where the terminal cursor goes: in the composer, after what is typed before it. */
export function cursorOf(
  state: ChatState,
  width: number,
  height: number,
): [row: number, col: number] {
  const view = composerView(state.composer, width - widthOf(PROMPT));
  return [height - 1, Math.min(width - 1, widthOf(PROMPT) + view.cursor)];
}

function header(state: ChatState, withRoom: boolean): Styled {
  const room = state.rooms[state.current];
  const parts: Segment[] = [seg(' kith', Style.bar)];
  if (room !== undefined) {
    const number = withRoom ? `${state.current + 1}/${state.rooms.length} ` : '';
    parts.push(seg(` · ${number}${sanitize(room.label)}`, Style.bar));
    if (room.topic !== '') parts.push(seg(` · ${sanitize(room.topic)}`, Style.bar));
    if (room.disappearAfterMs !== undefined) {
      parts.push(
        seg(` · messages disappear after ${durationText(room.disappearAfterMs)}`, Style.bar),
      );
    }
    if (room.withheld !== undefined) {
      parts.push(seg(` · ${room.withheld} earlier messages not shared with you`, Style.bar));
    }
    if (state.thread !== undefined) {
      parts.push(
        seg(` · thread: ${sanitize(state.thread.label)} (/thread alone for all)`, Style.bar),
      );
    }
  }
  if (withRoom) {
    const unread = state.rooms.reduce((n, r, i) => n + (i === state.current ? 0 : r.unread), 0);
    if (unread > 0) parts.push(seg(` · ${unread} unread elsewhere`, Style.bar));
  }
  parts.push(seg('  (/help for commands)', Style.bar));
  return parts;
}

function roomRows(rooms: readonly RoomItem[], current: number, width: number, height: number) {
  const rows: string[] = [];
  if (rooms.length === 0) rows.push(fit([seg(' no rooms yet', Style.dim)], width));
  // Scroll the list so the current room stays in view.
  const first = Math.max(0, Math.min(current - height + 1, rooms.length - height));
  const digits = String(rooms.length).length;
  for (const [i, room] of rooms.slice(first, first + height).entries()) {
    const index = first + i;
    const count = room.unread > 99 ? '99+' : String(room.unread);
    // A mention is marked with @ before the count: someone asked for this user there.
    const unread = room.unread > 0 ? ` ${room.mentions === true ? '@' : ''}${count}` : '';
    const number = `${String(index + 1).padStart(digits)} `;
    const label = room.active ? room.label : `${room.label} (${room.departure ?? 'not a member'})`;
    const name = truncate(sanitize(label), width - 1 - number.length - unread.length);
    const gap = ' '.repeat(Math.max(0, width - 1 - number.length - widthOf(name) - unread.length));
    const base = index === current ? Style.bar : room.active ? '' : Style.dim;
    rows.push(
      fit(
        [
          seg(` ${number}`, base),
          seg(name, index === current ? `${Style.bar};1` : base),
          seg(gap, base),
          seg(unread, index === current ? Style.bar : `${Style.bold};33`),
        ],
        width,
        base,
      ),
    );
  }
  while (rows.length < height) rows.push(' '.repeat(width));
  return rows;
}

function panelRows(panel: Panel, scroll: number, width: number, height: number): Styled[] {
  const body = panelBody(panel, width);
  const room = Math.max(0, height - 3);
  const top = Math.max(0, Math.min(scroll, body.length - room));
  const more = body.length > room;
  return [
    [seg(sanitize(panel.title), Style.bold)],
    [],
    ...body.slice(top, top + room),
    ...Array.from({ length: Math.max(0, room - body.length) }, () => []),
    [seg(more ? 'PageUp/PageDown scroll · Esc closes' : 'Esc closes', Style.dim)],
  ];
}

/** How far down a panel can scroll: rows of it that do not fit. */
export function panelScrollLimit(panel: Panel, width: number, height: number): number {
  const { contentWidth, bodyHeight } = layout(width, height);
  return Math.max(0, panelBody(panel, contentWidth).length - Math.max(0, bodyHeight - 3));
}

function panelBody(panel: Panel, width: number): Styled[] {
  return panel.lines.flatMap((line) => {
    const leading = /^ */.exec(line)?.[0].length ?? 0;
    return wrap([seg(sanitize(line))], width, leading + 2);
  });
}

function statusLine(me: string, status: StatusInfo, width: number): Styled {
  const parts = [
    me === '' ? '(no name)' : sanitize(me),
    plural(status.peers, 'peer'),
    relaysPart(status),
  ];
  if (status.sync !== undefined) {
    parts.push(
      status.sync.complete && status.sync.waiting === 0
        ? 'history complete'
        : `syncing: ${status.sync.waiting} waiting`,
    );
    const offline = status.peers === 0 && (status.relaysUp ?? 0) === 0;
    if (offline && status.sync.unsent > 0) parts.push(`${status.sync.unsent} not sent (offline)`);
  }
  // Next to the name, where a narrow terminal does not cut it off.
  if (status.typing !== undefined) parts.splice(1, 0, sanitize(status.typing));
  return [seg(truncate(` ${parts.join(' · ')}`, width), Style.bar)];
}

/**
 * Where the relays stand: "online via 2 relays", "1 of 2 relays", "connecting to 1 relay…",
 * or "relay offline, retry in 12 s" while the device waits to try again.
 */
function relaysPart(status: StatusInfo): string {
  const { relays, relaysUp } = status;
  if (relays === 0) return 'no relays';
  if (relaysUp === undefined) return plural(relays, 'relay');
  if (relaysUp === relays) return `online via ${plural(relays, 'relay')}`;
  if (relaysUp > 0) return `${relaysUp} of ${relays} relays`;
  if (status.relayRetryInMs === undefined) return `connecting to ${plural(relays, 'relay')}…`;
  const seconds = Math.max(1, Math.ceil(status.relayRetryInMs / 1000));
  return `${relays === 1 ? 'relay' : 'relays'} offline, retry in ${seconds} s`;
}

function noticeLine(state: ChatState): Styled {
  const notice = state.notice;
  if (notice === undefined) return [];
  const style =
    notice.kind === 'error' ? Style.error : notice.kind === 'warning' ? Style.warning : Style.info;
  return [seg(` ${sanitize(notice.text)}`, style)];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function paint(text: string, style: string): string {
  return `\x1b[${style}m${text}\x1b[0m`;
}
