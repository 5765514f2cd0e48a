/** GFM tables (extension, "Tables"): which lines open one, and the cells of a row. */
import { BACKSLASH, PIPE, isSpaceOrTab, runLengthOf } from './markdown-chars.ts';

/** A span of the source text, `end` exclusive. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** A table row's cells: ranges between unescaped pipes, without the optional outer pipes. */
export function rowCells(text: string, from: number, end: number): Range[] {
  let start = from + runLengthOf(text, from, end, isSpaceOrTab);
  let stop = end;
  while (stop > start && isSpaceOrTab(text.charCodeAt(stop - 1))) stop--;
  if (start < stop && text.charCodeAt(start) === PIPE) start++;
  const cells: Range[] = [];
  let cell = start;
  for (let p = start; p < stop; p++) {
    const c = text.charCodeAt(p);
    if (c === BACKSLASH) p++;
    else if (c === PIPE) {
      cells.push({ start: cell, end: p });
      cell = p + 1;
    }
  }
  if (cell < stop) cells.push({ start: cell, end: stop });
  return cells;
}

const DELIMITER_CELL = /^[ \t]*:?-+:?[ \t]*$/;

/** Whether `header` and `delimiter` open a GFM table (as many cells, and a pipe somewhere). */
export function opensTable(text: string, header: Range, delimiter: Range): boolean {
  const cells = rowCells(text, delimiter.start, delimiter.end);
  if (cells.length === 0) return false;
  if (!cells.every((cell) => DELIMITER_CELL.test(text.slice(cell.start, cell.end)))) return false;
  const hasPipe =
    text.slice(delimiter.start, delimiter.end).includes('|') ||
    text.slice(header.start, header.end).includes('|');
  return hasPipe && rowCells(text, header.start, header.end).length === cells.length;
}
