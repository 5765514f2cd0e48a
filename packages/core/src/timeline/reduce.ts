import type { UserId } from '../ids.ts';
import type { TimelineAction } from './control-plane.ts';
import { compareEntries, type TimelineEntry } from './entry.ts';
import { diffMessage, MessageView } from './message-view.ts';
import type { TimelineChange, TimelineMessage } from './timeline-message.ts';

/** Whether an entry's author may do `action` with it (the replica asks the control plane). */
export type Permission = (entry: TimelineEntry, action: TimelineAction) => boolean;

const NO_EDITS: readonly TimelineEntry[] = [];

/** One entry, or several sorted (the same message replayed): most IDs have one. */
type Candidates = TimelineEntry | TimelineEntry[];

/**
 * Folds every author's entries into the timeline users see. The result depends only on the set
 * of entries, not on the order they were added: each message's view is recomputed from all the
 * entries that refer to it, and the timeline is kept sorted by `compareEntries`. Adding an entry
 * costs a binary search plus the work on the one message it touches (appending at the end, the
 * common case, moves nothing), so 100k messages build in O(n log n).
 */
export class TimelineReducer {
  readonly #can: Permission;
  readonly #byAuthor = new Map<string, TimelineEntry[]>();
  /** Copies of each message ID (a replayed message can occur twice). */
  readonly #messages = new Map<string, Candidates>();
  /** Reactions by the ID of the message they react to. */
  readonly #reactions = new Map<string, TimelineEntry[]>();
  /** Edits and retractions by the ID they replace. */
  readonly #modifiers = new Map<string, TimelineEntry[]>();
  /** Reaction ID to the message(s) it reacts to, so an unreaction updates the right message. */
  readonly #reactionTargets = new Map<string, Set<string>>();
  /** The shown copy of each message, sorted, and its view at the same index. */
  readonly #order: TimelineEntry[] = [];
  readonly #shown: MessageView[] = [];
  readonly #views = new Map<string, MessageView>();
  #dirty = new Set<string>();
  /** Messages whose view came out retracted since `takeRetracted` (their bodies get purged). */
  #retracted = new Set<string>();
  #changes: TimelineChange[] = [];
  #cached: readonly TimelineMessage[] | undefined;

  constructor(can: Permission) {
    this.#can = can;
  }

  add(entry: TimelineEntry): void {
    let list = this.#byAuthor.get(entry.authorHex);
    if (list === undefined) this.#byAuthor.set(entry.authorHex, (list = []));
    list.push(entry);
    this.#index(entry);
  }

  /** Drops an author's entries from `seq` on (the author forked there) and recomputes. */
  hideFrom(authorHex: string, seq: number): void {
    const list = this.#byAuthor.get(authorHex);
    if (list?.some((e) => e.seq >= seq) !== true) return;
    this.#byAuthor.set(
      authorHex,
      list.filter((e) => e.seq < seq),
    );
    for (const id of this.#views.keys()) this.#dirty.add(id);
    this.#messages.clear();
    this.#reactions.clear();
    this.#modifiers.clear();
    this.#reactionTargets.clear();
    for (const entries of this.#byAuthor.values()) for (const e of entries) this.#index(e);
  }

  /** The IDs of messages materialized as retracted since the last call. */
  takeRetracted(): string[] {
    this.#flushQuietly();
    const out = [...this.#retracted];
    this.#retracted.clear();
    return out;
  }

  /**
   * Every entry of a message: its copies, edits and retractions, its reactions and their
   * retractions (what goes when the message is purged).
   */
  related(idKey: string): TimelineEntry[] {
    const c = this.#messages.get(idKey);
    const out = c === undefined ? [] : Array.isArray(c) ? [...c] : [c];
    out.push(...(this.#modifiers.get(idKey) ?? []));
    for (const r of this.#reactions.get(idKey) ?? []) {
      out.push(r, ...(this.#modifiers.get(r.idKey) ?? []));
    }
    return out;
  }

  /** Takes entries out (an expired message and what refers to it) and recomputes what they touched. */
  remove(entries: ReadonlySet<TimelineEntry>): void {
    if (entries.size === 0) return;
    const authors = new Set<string>();
    for (const e of entries) {
      authors.add(e.authorHex);
      this.#unindex(e, entries);
    }
    for (const hex of authors) {
      const list = this.#byAuthor.get(hex);
      if (list !== undefined)
        this.#byAuthor.set(
          hex,
          list.filter((e) => !entries.has(e)),
        );
    }
  }

  /** The message IDs of an author's entries, 32 bytes per log position (zeros where none). */
  messageIdsOf(authorHex: string, logLength: number): Uint8Array {
    const out = new Uint8Array(logLength * 32);
    for (const e of this.#byAuthor.get(authorHex) ?? []) out.set(e.messageId, e.position * 32);
    return out;
  }

  /** Recomputes what changed since the last call and returns the changes. */
  flush(): TimelineChange[] {
    if (this.#dirty.size > 0) {
      const dirty = [...this.#dirty];
      this.#dirty = new Set();
      // Many at once (a restore, a large sync): place them in timeline order, so that each
      // lands at the end of what is shown instead of being spliced into the middle (which made
      // reopening 100k messages quadratic).
      if (dirty.length > 64) {
        const keyed = dirty.map((id) => ({ id, w: this.#winner(id) }));
        keyed.sort((x, y) =>
          x.w === undefined ? -1 : y.w === undefined ? 1 : compareEntries(x.w, y.w),
        );
        for (const { id } of keyed) this.#materialize(id);
      } else {
        for (const id of dirty) this.#materialize(id);
      }
    }
    const changes = this.#changes;
    this.#changes = [];
    return changes;
  }

  timeline(): readonly TimelineMessage[] {
    this.#flushQuietly();
    this.#cached ??= this.#shown.slice();
    return this.#cached;
  }

  message(idKey: string): TimelineMessage | undefined {
    this.#flushQuietly();
    return this.#views.get(idKey);
  }

  /** `user`'s live reaction `text` to a shown message (the latest, if several). */
  reactionOf(targetKey: string, text: string, user: UserId): TimelineEntry | undefined {
    this.#flushQuietly();
    const view = this.#views.get(targetKey);
    if (view === undefined || view.retracted) return undefined;
    const m = MessageView.originalOf(view);
    let found: TimelineEntry | undefined;
    for (const r of this.#reactions.get(targetKey) ?? []) {
      if (r.user !== user || r.reactionText !== text || !this.#live(r, m)) continue;
      if (found === undefined || compareEntries(r, found) > 0) found = r;
    }
    return found;
  }

  /** Materializes pending work but keeps its changes for the next `flush`. */
  #flushQuietly(): void {
    const changes = this.flush();
    this.#changes = changes;
  }

  #index(e: TimelineEntry): void {
    if (e.kind === 'message') {
      const c = this.#messages.get(e.idKey);
      if (c === undefined) this.#messages.set(e.idKey, e);
      else if (Array.isArray(c)) c.splice(insertionPoint(c, e), 0, e);
      else this.#messages.set(e.idKey, compareEntries(e, c) < 0 ? [e, c] : [c, e]);
      this.#dirty.add(e.idKey);
      return;
    }
    const target = e.targetKey;
    if (target === undefined) return;
    if (e.kind === 'reaction') {
      getOrCreate(this.#reactions, target).push(e);
      let targets = this.#reactionTargets.get(e.idKey);
      if (targets === undefined) this.#reactionTargets.set(e.idKey, (targets = new Set()));
      targets.add(target);
      this.#dirty.add(target);
    } else if (e.kind === 'edit' || e.kind === 'retraction') {
      getOrCreate(this.#modifiers, target).push(e);
      this.#dirty.add(target);
      for (const t of this.#reactionTargets.get(target) ?? []) this.#dirty.add(t);
    }
  }

  #unindex(e: TimelineEntry, gone: ReadonlySet<TimelineEntry>): void {
    const keep = (list: TimelineEntry[] | undefined): TimelineEntry[] =>
      (list ?? []).filter((x) => !gone.has(x));
    if (e.kind === 'message') {
      const c = this.#messages.get(e.idKey);
      const rest = keep(c === undefined ? [] : Array.isArray(c) ? c : [c]);
      if (rest.length === 0) this.#messages.delete(e.idKey);
      else this.#messages.set(e.idKey, rest.length === 1 && rest[0] !== undefined ? rest[0] : rest);
      this.#dirty.add(e.idKey);
      return;
    }
    const target = e.targetKey;
    if (target === undefined) return;
    if (e.kind === 'reaction') {
      this.#reactions.set(target, keep(this.#reactions.get(target)));
      this.#reactionTargets.get(e.idKey)?.delete(target);
    } else if (e.kind === 'edit' || e.kind === 'retraction') {
      this.#modifiers.set(target, keep(this.#modifiers.get(target)));
      for (const t of this.#reactionTargets.get(target) ?? []) this.#dirty.add(t);
    }
    this.#dirty.add(target);
  }

  /** Judges every message again (the control plane's cuts changed). */
  rejudge(): void {
    for (const id of this.#messages.keys()) this.#dirty.add(id);
    for (const id of this.#views.keys()) this.#dirty.add(id);
  }

  /**
   * The entry shown for a message ID. A MIMI message ID hashes its sender, so only entries
   * with a body (checked against their author's user, body-keeper.ts) prove who owns it. When
   * several users claim one ID, placeholders prove nothing and are left out, on every device
   * whatever bodies it holds: nobody takes over, retracts or hides another's message by
   * naming its ID (a body-less claim only hides the retracted placeholder of an ID in dispute).
   */
  #winner(idKey: string): TimelineEntry | undefined {
    const c = this.#messages.get(idKey);
    if (c === undefined) return undefined;
    if (!Array.isArray(c)) return this.#can(c, 'send') ? c : undefined;
    const disputed = c.some((e) => e.user !== c[0]?.user);
    const w = c.find((e) => (!disputed || !e.stub) && this.#can(e, 'send'));
    return disputed && w !== undefined && this.#view(w).retracted ? undefined : w;
  }

  #materialize(idKey: string): void {
    let winner = this.#winner(idKey);
    // The shown entry is the view's original: no second map of 100k entries for it.
    const before = this.#views.get(idKey);
    const previous = before === undefined ? undefined : MessageView.originalOf(before);
    let after = winner === undefined ? undefined : this.#view(winner);
    // A message whose body this device lacks is shown only once retracted (body-keeper.ts).
    if (winner?.stub === true && after?.retracted !== true) winner = after = undefined;
    if (after?.retracted === true) this.#retracted.add(idKey);
    const changes = diffMessage(before, after);
    if (winner === previous && changes.length === 0) return;
    this.#changes.push(...changes);
    this.#cached = undefined;
    if (winner !== undefined && winner === previous && after !== undefined) {
      this.#shown[indexOf(this.#order, winner)] = after;
      this.#views.set(idKey, after);
      return;
    }
    if (previous !== undefined) {
      const i = indexOf(this.#order, previous);
      this.#order.splice(i, 1);
      this.#shown.splice(i, 1);
    }
    if (winner === undefined || after === undefined) {
      this.#views.delete(idKey);
      return;
    }
    const at = insertionPoint(this.#order, winner);
    this.#order.splice(at, 0, winner);
    this.#shown.splice(at, 0, after);
    this.#views.set(idKey, after);
  }

  /**
   * Edits count if made by the sender (any of the user's devices) with `editOwn`; the first
   * retraction by the sender with `retractOwn`, or by anyone with `retractAny`, ends the
   * message. Only entries after the message in timeline order count.
   */
  #view(m: TimelineEntry): MessageView {
    const all = this.#modifiers.get(m.idKey);
    // Allocated only for an edited message: most have none (a 100k timeline holds one view each).
    let edits: TimelineEntry[] | undefined;
    let retraction: TimelineEntry | undefined;
    if (all !== undefined) {
      const seen = new Set<string>();
      for (const e of all.filter((x) => compareEntries(x, m) > 0).sort(compareEntries)) {
        if (seen.has(e.idKey)) continue;
        seen.add(e.idKey);
        if (e.kind === 'retraction') {
          const own = e.user === m.user && this.#can(e, 'retractOwn');
          if (own || this.#can(e, 'retractAny')) {
            retraction = e;
            break;
          }
        } else if (e.user === m.user && this.#can(e, 'editOwn')) {
          (edits ??= []).push(e);
        }
      }
    }
    const reactions = retraction === undefined ? this.#reactionsOf(m) : new Map();
    return new MessageView(m, edits ?? NO_EDITS, retraction, reactions);
  }

  #live(r: TimelineEntry, m: TimelineEntry): boolean {
    return compareEntries(r, m) > 0 && this.#can(r, 'react') && !this.#unreacted(r);
  }

  #reactionsOf(m: TimelineEntry): Map<string, Set<UserId>> {
    const out = new Map<string, Set<UserId>>();
    for (const r of this.#reactions.get(m.idKey) ?? []) {
      const text = r.reactionText;
      if (text === undefined || !this.#live(r, m)) continue;
      let users = out.get(text);
      if (users === undefined) out.set(text, (users = new Set()));
      users.add(r.user);
    }
    return out;
  }

  /** A reaction is taken back by its user's retraction of it (or a moderator's). */
  #unreacted(r: TimelineEntry): boolean {
    return (this.#modifiers.get(r.idKey) ?? []).some(
      (e) =>
        e.kind === 'retraction' &&
        compareEntries(e, r) > 0 &&
        ((e.user === r.user && (this.#can(e, 'react') || this.#can(e, 'retractOwn'))) ||
          this.#can(e, 'retractAny')),
    );
  }
}

function getOrCreate<V>(map: Map<string, V[]>, key: string): V[] {
  let list = map.get(key);
  if (list === undefined) map.set(key, (list = []));
  return list;
}

/** First index whose entry sorts after `e` (binary search; appending is the common case). */
function insertionPoint(list: readonly TimelineEntry[], e: TimelineEntry): number {
  const last = list[list.length - 1];
  if (last === undefined || compareEntries(last, e) <= 0) return list.length;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = list[mid];
    if (x !== undefined && compareEntries(x, e) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexOf(list: readonly TimelineEntry[], e: TimelineEntry): number {
  const i = insertionPoint(list, e) - 1;
  if (list[i] !== e) throw new Error('timeline order lost an entry');
  return i;
}
