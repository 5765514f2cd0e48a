import { findMentions, mention } from '../content/markdown.ts';
import type { MimiContent, NestedPart } from '../content/model.ts';
import { isUserId } from '../identity/user-id.ts';
import type { UserId } from '../ids.ts';
import { userUri } from '../timeline/uris.ts';

/**
 * Mentions as GFM-MIMI writes them: a Markdown link whose text starts with `@` and whose
 * destination is the user's URI (`kith:user/<user ID>`, the URI message IDs use too). Plain-text
 * parts carry no mentions: `@ana` there is only text.
 */
const USER_URI_PREFIX = 'kith:user/';

/** The Markdown mentioning `userId` under `displayName`: `[@Ana](kith:user/u…)`. */
export function mentionOf(displayName: string, userId: UserId): string {
  return mention(displayName, userUri(userId));
}

/** The user a mention URI names, or undefined for any other URI. */
export function userOfMentionUri(uri: string): UserId | undefined {
  if (!uri.startsWith(USER_URI_PREFIX)) return undefined;
  const id = uri.slice(USER_URI_PREFIX.length);
  return isUserId(id) ? id : undefined;
}

/** The users a message mentions, each once, in order of first mention. */
export function mentionedUsers(content: MimiContent): UserId[] {
  const out = new Set<UserId>();
  collect(content.body, out);
  return [...out];
}

function collect(part: NestedPart, out: Set<UserId>): void {
  if (part.kind === 'multi') {
    for (const p of part.parts) collect(p, out);
    return;
  }
  if (part.kind !== 'single' || !part.contentType.startsWith('text/markdown')) return;
  for (const m of findMentions(new TextDecoder().decode(part.content))) {
    const user = userOfMentionUri(m.uri);
    if (user !== undefined) out.add(user);
  }
}

/** Someone who can be mentioned by name. */
export interface Mentionable {
  readonly userId: UserId;
  readonly displayName: string;
}

const NAME_END = /^(?:$|[\s.,!?;:)\]'"’])/u;

/**
 * Markdown `text` with each `@name` of `people` (or `@<user ID>`) turned into a mention link.
 * Names match without regard to case, the longest first; a name two people share mentions
 * neither (the sender must say which). Code spans and fenced code are left as written, and so
 * is an `@` that follows a letter, a digit or `[` (an e-mail address, a link already written).
 */
export function linkMentions(text: string, people: readonly Mentionable[]): string {
  const byName = new Map<string, Mentionable | null>();
  for (const p of people) {
    const key = p.displayName.toLowerCase();
    if (key === '') continue;
    const seen = byName.get(key);
    byName.set(key, seen === undefined || seen?.userId === p.userId ? p : null);
  }
  const names = [...byName.keys()].sort((a, b) => b.length - a.length);
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^ {0,3}(```|~~~)/.test(line)) {
        fenced = !fenced;
        return line;
      }
      return fenced ? line : linkLine(line, names, byName, people);
    })
    .join('\n');
}

function linkLine(
  line: string,
  names: readonly string[],
  byName: ReadonlyMap<string, Mentionable | null>,
  people: readonly Mentionable[],
): string {
  let out = '';
  let i = 0;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (ch === '`') {
      // A code span: copy through the closing run of as many backticks.
      const run = /^`+/.exec(line.slice(i))?.[0] ?? '`';
      const close = line.indexOf(run, i + run.length);
      const end = close === -1 ? i + run.length : close + run.length;
      out += line.slice(i, end);
      i = end;
      continue;
    }
    const before = line.charAt(i - 1);
    if (ch === '@' && !/[\p{L}\p{N}[\\]/u.test(before)) {
      const found = matchAt(line, i + 1, names, byName, people);
      if (found !== undefined) {
        out += mentionOf(found.person.displayName, found.person.userId);
        i += 1 + found.length;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

function matchAt(
  line: string,
  from: number,
  names: readonly string[],
  byName: ReadonlyMap<string, Mentionable | null>,
  people: readonly Mentionable[],
): { person: Mentionable; length: number } | undefined {
  const rest = line.slice(from);
  const id = /^u[a-z2-7]{52}/.exec(rest)?.[0];
  if (id !== undefined && NAME_END.test(rest.slice(id.length))) {
    const person = people.find((p) => p.userId === id);
    if (person !== undefined) return { person, length: id.length };
  }
  const lower = rest.toLowerCase();
  for (const name of names) {
    if (!lower.startsWith(name) || !NAME_END.test(rest.slice(name.length))) continue;
    const person = byName.get(name);
    if (person === null || person === undefined) return undefined;
    return { person, length: name.length };
  }
  return undefined;
}
