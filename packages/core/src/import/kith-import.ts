import { toHex } from '../crypto/bytes.ts';
import { Disposition } from '../content/model.ts';
import type { ParsedExport } from './export-parse.ts';
import { countSkip, type ImportItem, type ImportPlan, type SkipCounts } from './item.ts';
import { readOrigin, type ImportOrigin } from './origin.ts';

/**
 * Import items of a Kith history export, for re-importing into another room. The original
 * sender and time of each message is the record's, or, for a message that was itself imported,
 * the origin it already carries. References (replies, edits, threads) go through a table from
 * the exported message ID to the item index; reactions become one reaction item per text
 * (they all come from the importer then, so who reacted is not kept).
 */
export function exportToImport(parsed: ParsedExport): ImportPlan {
  const items: ImportItem[] = [];
  const skipped: SkipCounts = {};
  const byId = new Map<string, number>();
  for (const r of parsed.records) {
    const c = r.content;
    const origin: ImportOrigin = readOrigin(c) ?? { sender: r.sender, ts: r.ts };
    const index = items.length;
    if (c.replaces !== null) {
      const target = byId.get(toHex(c.replaces));
      if (target === undefined) countSkip(skipped, 'unknown-target');
      else if (c.body.kind === 'null') items.push({ kind: 'retraction', target, origin });
      else items.push({ kind: 'edit', target, body: c.body, origin });
      continue;
    }
    if (c.body.kind === 'null') {
      countSkip(skipped, 'malformed');
      continue;
    }
    if (c.body.disposition === Disposition.reaction) {
      countSkip(skipped, 'unsupported-type');
      continue;
    }
    const replyTo = c.inReplyTo === null ? undefined : byId.get(toHex(c.inReplyTo));
    const root = c.topicId.length === 0 ? undefined : byId.get(toHex(c.topicId));
    const thread = c.topicId.length === 0 ? undefined : (root ?? c.topicId);
    items.push({
      kind: 'message',
      body: c.body,
      origin,
      ...(replyTo === undefined ? {} : { replyTo }),
      ...(thread === undefined ? {} : { thread }),
    });
    byId.set(toHex(r.messageId), index);
    for (const [text, users] of r.reactions) {
      const by = { sender: users[0] ?? r.sender, ts: r.ts };
      items.push({ kind: 'reaction', target: index, text, origin: by });
    }
  }
  return {
    items,
    skipped,
    truncated: 0,
    ...(parsed.name === undefined ? {} : { roomName: parsed.name }),
  };
}
