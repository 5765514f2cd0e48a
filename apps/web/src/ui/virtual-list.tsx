import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useReducer, useRef } from 'preact/hooks';
import { RowHeights } from '../model/row-heights.ts';

/** Drawn beyond the visible part, above and below, so a quick scroll shows no gap. */
const OVERSCAN_PX = 600;
/** A row's height before it is drawn. */
const ESTIMATE_PX = 64;
/** Closer than this to the end counts as at the end: new rows are followed. */
const AT_END_PX = 40;

/** What the parent may ask of the list. */
export interface VirtualListHandle {
  /** Brings the row to the top of the view and keeps it there while rows around it are drawn. */
  scrollToKey(key: string): void;
  /** Goes to the end and follows new rows (after the person sends). */
  scrollToEnd(): void;
}

/** Where the view is, kept across renders: the row at its top and how far into it. */
interface Anchor {
  key: string;
  within: number;
}

/**
 * A scrolling list that draws only the rows in view (and a margin): a room of 100,000 messages
 * costs what its visible screenful does. The view is held by the row at its top, so rows
 * added above (older history arriving) or below (new messages) and rows whose height turns out
 * other than estimated never move what the person is reading; at the end, new rows are followed.
 */
export function VirtualList<R extends { readonly key: string }>({
  rows,
  render,
  handle,
  label,
  class: className,
  children,
}: {
  rows: readonly R[];
  render: (row: R) => ComponentChildren;
  handle?: { current: VirtualListHandle | undefined };
  label: string;
  class?: string;
  /** Shown before the rows (an empty-room note, a jump button). */
  children?: ComponentChildren;
}) {
  const heights = useMemo(() => new RowHeights(ESTIMATE_PX), []);
  const scroller = useRef<HTMLDivElement>(null);
  /** The top spacer: where the rows start inside the scroller (below `children`). */
  const start = useRef<HTMLDivElement>(null);
  const anchor = useRef<Anchor | undefined>(undefined);
  const atEnd = useRef(true);
  const view = useRef({ top: 0, height: 800 });
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const keys = useMemo(() => rows.map((r) => r.key), [rows]);
  heights.setKeys(keys);

  const { first, last } = heights.range(
    view.current.top - OVERSCAN_PX,
    view.current.top + view.current.height + OVERSCAN_PX,
  );

  /** The scroll position in the rows' coordinates (0: the first row's top). */
  const rowsTop = (el: HTMLDivElement): number => el.scrollTop - (start.current?.offsetTop ?? 0);

  /** Notes where the view is, from the scroll position. */
  const remember = (el: HTMLDivElement): void => {
    const y = rowsTop(el);
    view.current = { top: y, height: el.clientHeight };
    atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < AT_END_PX;
    const index = heights.rowAt(y);
    const key = keys[index];
    anchor.current = key === undefined ? undefined : { key, within: y - heights.top(index) };
  };

  if (handle !== undefined) {
    handle.current = {
      scrollToKey: (key) => {
        const el = scroller.current;
        const index = heights.indexOf(key);
        if (el === null || index === undefined) return;
        atEnd.current = false;
        anchor.current = { key, within: 0 };
        el.scrollTop = heights.top(index) + (start.current?.offsetTop ?? 0);
        view.current = { top: rowsTop(el), height: el.clientHeight };
        redraw(0);
      },
      scrollToEnd: () => {
        atEnd.current = true;
        redraw(0);
      },
    };
  }

  // After each draw: measure the drawn rows, then put the view back where it was held.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    let changed = false;
    for (const child of el.querySelectorAll<HTMLElement>(':scope > .vrow')) {
      const key = child.dataset['key'];
      if (key !== undefined) changed = heights.measure(key, child.offsetHeight) || changed;
    }
    const held = anchor.current;
    const index = held === undefined ? undefined : heights.indexOf(held.key);
    const base = start.current?.offsetTop ?? 0;
    const want = atEnd.current
      ? el.scrollHeight - el.clientHeight
      : held !== undefined && index !== undefined
        ? base + heights.top(index) + held.within
        : el.scrollTop;
    if (Math.abs(el.scrollTop - want) > 1) el.scrollTop = want;
    const before = view.current;
    view.current = { top: rowsTop(el), height: el.clientHeight };
    // Heights learnt or the view moved: draw again (this settles once every row in view is measured).
    if (changed || Math.abs(before.top - view.current.top) > 1) redraw(0);
  });

  return (
    <div
      class={className}
      ref={scroller}
      role="log"
      aria-label={label}
      tabIndex={0}
      onScroll={(e) => {
        remember(e.currentTarget);
        redraw(0);
      }}
    >
      {children}
      <div
        class="vspacer"
        ref={start}
        style={{ height: `${heights.top(first)}px` }}
        aria-hidden="true"
      />
      {rows.slice(first, last).map((row) => (
        <div key={row.key} class="vrow" data-key={row.key}>
          {render(row)}
        </div>
      ))}
      <div
        class="vspacer"
        style={{ height: `${heights.total - heights.top(last)}px` }}
        aria-hidden="true"
      />
    </div>
  );
}
