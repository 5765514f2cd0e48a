import type { UserId } from '@kith/core';

export interface Person {
  readonly userId: UserId;
  readonly name: string;
}

/** An `@name` being typed at the caret, and the people it may mean. */
export interface MentionQuery {
  /** Where the `@` is. */
  readonly start: number;
  readonly query: string;
  readonly candidates: readonly Person[];
}

/**
 * The mention being typed just before `caret`: an `@` at the start or after a space, then no
 * space. Candidates are the room's members (not this user) whose name starts with what follows,
 * then those whose name contains it; at most `limit`.
 */
export function mentionQuery(
  text: string,
  caret: number,
  people: readonly Person[],
  limit = 6,
): MentionQuery | undefined {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]{0,32})$/.exec(before);
  if (m === null) return undefined;
  const query = m[2] ?? '';
  const start = caret - query.length - 1;
  const q = query.toLowerCase();
  const starts = people.filter((p) => p.name.toLowerCase().startsWith(q));
  const contains = people.filter((p) => !starts.includes(p) && p.name.toLowerCase().includes(q));
  const candidates = [...starts, ...contains].slice(0, limit);
  return candidates.length === 0 ? undefined : { start, query, candidates };
}

/** The text with the query replaced by `@Name ` and where the caret goes after it. */
export function completeMention(
  text: string,
  caret: number,
  q: MentionQuery,
  person: Person,
): { text: string; caret: number } {
  const inserted = `@${person.name} `;
  return {
    text: text.slice(0, q.start) + inserted + text.slice(caret),
    caret: q.start + inserted.length,
  };
}
