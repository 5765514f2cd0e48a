/**
 * A priority queue of scheduled events: earliest `at` first, and among equal times the one
 * scheduled first (`seq`), so the order never depends on anything but the calls made.
 * A binary heap, because a long simulation holds many pending messages.
 */
export interface Scheduled {
  readonly at: number;
  readonly seq: number;
}

export class EventQueue<T extends Scheduled> {
  readonly #heap: T[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): T | undefined {
    return this.#heap[0];
  }

  push(item: T): void {
    const heap = this.#heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, at(heap, parent))) break;
      heap[i] = at(heap, parent);
      i = parent;
    }
    heap[i] = item;
  }

  pop(): T | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && before(at(heap, right), at(heap, left)) ? right : left;
      if (!before(at(heap, child), last)) break;
      heap[i] = at(heap, child);
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: Scheduled, b: Scheduled): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function at<T>(heap: readonly T[], i: number): T {
  return heap[i] as T;
}
