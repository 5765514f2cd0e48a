// The timeline benchmark's page: the web messenger's message rows rendered into a 800 px
// scroller, virtualised (apps/web's VirtualList) and, as the baseline, every row at once.
import { render } from 'preact';
import type { UserId } from '@kith/core';
import { parseMarkdown } from '../../../../apps/web/src/model/markdown.ts';
import type { MessageItem } from '../../../../apps/web/src/model/message-items.ts';
import { timelineRows, type TimelineRow } from '../../../../apps/web/src/model/timeline-rows.ts';
import { MessageView, type MessageActions } from '../../../../apps/web/src/ui/message-view.tsx';
import { VirtualList } from '../../../../apps/web/src/ui/virtual-list.tsx';

export interface TimelineFigures {
  /** Median ms from render to the first screenful laid out, virtualised. */
  readonly virtualMs: number;
  /** The same with every row rendered (what the timeline did before). */
  readonly fullMs: number;
  /** Rows in the DOM after each. */
  readonly virtualRows: number;
  readonly fullRows: number;
  /** Median ms to jump to the top and have it drawn, virtualised. */
  readonly jumpMs: number;
}

const ME = 'me' as UserId;
const reader = { me: ME, nameOf: () => 'Alice' };
const may = { retractOthers: false, react: true, send: true };
const noop = (): void => undefined;
const actions: MessageActions = {
  reply: noop,
  edit: noop,
  retract: noop,
  react: noop,
  thread: noop,
};

function items(count: number): MessageItem[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const text = `message **${i}** of the room, ${'some words '.repeat(i % 7)}`;
    return {
      messageId: i.toString(16).padStart(32, '0'),
      sender: (i % 3 === 0 ? ME : 'other') as UserId,
      senderName: i % 3 === 0 ? 'Alice' : 'Bob',
      mine: i % 3 === 0,
      ts: start + i * 60_000,
      importedBy: undefined,
      blocks: parseMarkdown(text),
      text,
      edited: false,
      versions: [],
      retracted: false,
      reactions: [],
      quote: undefined,
      threadId: undefined,
      mentionsMe: false,
      expiresAt: undefined,
      receipt: undefined,
    };
  });
}

function row(r: TimelineRow<MessageItem>) {
  return r.kind === 'message' ? (
    <MessageView m={r.message} me={reader} may={may} actions={actions} />
  ) : (
    <div role="separator">{r.kind === 'day' ? r.label : 'New messages'}</div>
  );
}

/** Waits until Preact's queued renders (the list measuring itself) have run. */
async function settled(root: HTMLElement): Promise<void> {
  let before = -1;
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    const now = root.querySelectorAll('.vrow').length;
    if (now === before) return;
    before = now;
  }
}

async function timeOnce(
  rows: readonly TimelineRow<MessageItem>[],
  virtual: boolean,
): Promise<{ ms: number; rows: number }> {
  const root = document.createElement('div');
  document.body.append(root);
  const start = performance.now();
  if (virtual) {
    render(<VirtualList class="timeline" label="Messages" rows={rows} render={row} />, root);
    await settled(root);
  } else {
    render(
      <div class="timeline">
        {rows.map((r) => (
          <div key={r.key} class="vrow">
            {row(r)}
          </div>
        ))}
      </div>,
      root,
    );
  }
  root.getBoundingClientRect();
  const scroller = root.firstElementChild as HTMLElement;
  // Laid out, at the end as a room opens.
  scroller.scrollTop = scroller.scrollHeight;
  scroller.getBoundingClientRect();
  const ms = performance.now() - start;
  const count = root.querySelectorAll('.vrow').length;
  render(null, root);
  root.remove();
  return { ms, rows: count };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeline(messages: number, runs: number): Promise<TimelineFigures> {
  const style = document.createElement('style');
  style.textContent =
    '.timeline{height:800px;overflow-y:auto;position:relative;overflow-anchor:none;width:700px}.vrow{display:flow-root}';
  document.head.append(style);
  const rows = timelineRows(items(messages), undefined, (ts) => new Date(ts).toDateString());
  const virtual: number[] = [];
  const full: number[] = [];
  const jumps: number[] = [];
  let virtualRows = 0;
  let fullRows = 0;
  // Interleaved, so that a busy neighbour slows both alike.
  for (let i = 0; i < runs; i++) {
    const v = await timeOnce(rows, true);
    virtual.push(v.ms);
    virtualRows = v.rows;
    const f = await timeOnce(rows, false);
    full.push(f.ms);
    fullRows = f.rows;
    jumps.push(await jumpToTop(rows));
  }
  return {
    virtualMs: median(virtual),
    fullMs: median(full),
    virtualRows,
    fullRows,
    jumpMs: median(jumps),
  };
}

/** Scrolls an open virtualised room from its end to its top: ms until the top rows are drawn. */
async function jumpToTop(rows: readonly TimelineRow<MessageItem>[]): Promise<number> {
  const root = document.createElement('div');
  document.body.append(root);
  render(<VirtualList class="timeline" label="Messages" rows={rows} render={row} />, root);
  await settled(root);
  const scroller = root.firstElementChild as HTMLElement;
  const start = performance.now();
  scroller.scrollTop = 0;
  scroller.dispatchEvent(new Event('scroll'));
  await settled(root);
  scroller.getBoundingClientRect();
  const ms = performance.now() - start;
  const first = root.querySelector('.vrow')?.getAttribute('data-key');
  render(null, root);
  root.remove();
  if (first !== rows[0]?.key) throw new Error(`the top row is not drawn (${String(first)})`);
  return ms;
}

Object.assign(globalThis, { kithBench: { timeline } });
