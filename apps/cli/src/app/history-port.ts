import { readFile, stat, writeFile } from 'node:fs/promises';
import {
  exportHistory,
  exportMatrix,
  exportToImport,
  ImportLimits,
  matrixToMimi,
  parseExport,
  telegramToMimi,
  totalSkipped,
  type ImportPlan,
  type RoomId,
  type SkipCounts,
} from '@kith/core';
import type { KithNode } from '@kith/node';
import { AppError } from './app-error.ts';

export type HistoryFormat = 'matrix' | 'kith' | 'telegram';

/** What a room exports as: a Kith export (JSON lines) or Element's Matrix JSON. */
export type ExportFormat = 'kith' | 'matrix';

/** Where imported history goes: an existing room, or a new one with this name. */
export interface ImportTarget {
  readonly roomId?: string;
  readonly name?: string;
}

export interface ImportResult {
  readonly roomId: RoomId;
  readonly imported: number;
  /** Events or records not imported, in all. */
  readonly skipped: number;
  /** The same, by reason (see SkipReason in @kith/core). */
  readonly skippedBy: SkipCounts;
  /** Texts cut to the size limit. */
  readonly truncated: number;
  /** A whole Telegram account's export: each chat went into a room of its own. */
  readonly rooms?: readonly RoomImport[];
}

/** One chat of a multi-chat import. */
interface RoomImport {
  readonly roomId: RoomId;
  readonly name: string;
  readonly imported: number;
  readonly skipped: number;
}

/** Progress of the import under way, for `importStatus`. */
export interface ImportStatus {
  readonly active: boolean;
  readonly done: number;
  readonly total: number;
}

/**
 * Porting history in and out of a room (MIMI requirements §3): a Matrix export or a Kith export
 * read from a file and written into a room as imported messages; a room's history written to a
 * file as a Kith export.
 */
export class AppHistory {
  readonly #node: KithNode;
  readonly #roomId: (text: string) => RoomId;
  #status: ImportStatus = { active: false, done: 0, total: 0 };

  constructor(node: KithNode, roomId: (text: string) => RoomId) {
    this.#node = node;
    this.#roomId = roomId;
  }

  status(): ImportStatus {
    return this.#status;
  }

  async importFile(
    path: string,
    format: HistoryFormat,
    target: ImportTarget,
    onProgress?: (done: number, total: number) => void,
  ): Promise<ImportResult> {
    if (this.#status.active) {
      throw new AppError('INVALID_PARAMS', 'an import is already under way: wait for it to end');
    }
    const plans = plansOf(format, await readText(path));
    if (plans.length === 0) throw new AppError('INVALID_PARAMS', 'the export holds no chat');
    if (plans.length > 1 && target.roomId !== undefined) {
      throw new AppError('INVALID_PARAMS', 'an export of several chats goes into new rooms');
    }
    // Check the room before creating one: a wrong roomId must not leave an empty room behind.
    const existing = target.roomId === undefined ? undefined : this.#roomId(target.roomId);
    const total = plans.reduce((n, p) => n + p.items.length, 0);
    this.#status = { active: true, done: 0, total };
    const results: (ImportResult & { name: string })[] = [];
    try {
      for (const plan of plans) {
        const offset = this.#status.done;
        const name = (
          (plans.length === 1 ? target.name : undefined) ??
          plan.roomName ??
          'Imported history'
        ).slice(0, 60);
        const roomId = existing ?? (await this.#node.createRoom({ name, members: [] }));
        const report = await this.#node.client.importHistory(roomId, plan.items, (done) => {
          this.#status = { active: true, done: offset + done, total };
          onProgress?.(offset + done, total);
        });
        this.#status = { active: true, done: offset + plan.items.length, total };
        const skippedBy = merge(plan.skipped, report.skipped);
        results.push({
          roomId,
          name,
          imported: report.imported,
          skipped: totalSkipped(skippedBy),
          skippedBy,
          truncated: plan.truncated,
        });
      }
    } finally {
      this.#status = { ...this.#status, active: false };
    }
    const [first] = results;
    if (first === undefined) throw new AppError('INVALID_PARAMS', 'the export holds no chat');
    if (results.length === 1) return strip(first);
    const skippedBy = results.reduce<SkipCounts>((all, r) => merge(all, r.skippedBy), {});
    return {
      roomId: first.roomId,
      imported: results.reduce((n, r) => n + r.imported, 0),
      skipped: totalSkipped(skippedBy),
      skippedBy,
      truncated: results.reduce((n, r) => n + r.truncated, 0),
      rooms: results.map((r) => ({
        roomId: r.roomId,
        name: r.name,
        imported: r.imported,
        skipped: r.skipped,
      })),
    };
  }

  /**
   * Writes the room's history to `path` as a Kith export or as Element's Matrix JSON; returns
   * how many records (Kith) or events (Matrix).
   */
  async exportRoom(
    roomText: string,
    path: string,
    format: ExportFormat = 'kith',
  ): Promise<{ messages: number }> {
    const roomId = this.#roomId(roomText);
    const client = this.#node.client;
    const room = client.room(roomId);
    const timeline = client.timeline(roomId);
    const text =
      format === 'matrix'
        ? exportMatrix({
            roomId,
            name: room.name,
            topic: room.topic,
            exportedBy: client.userId,
            now: Date.now(),
            timeline,
            members: client.members(roomId).map((m) => ({
              userId: m.userId,
              ...(m.displayName === undefined ? {} : { displayName: m.displayName }),
            })),
          })
        : exportHistory({ roomId, name: room.name, timeline });
    try {
      await writeFile(path, text, { mode: 0o600 });
    } catch (cause) {
      throw new AppError('INVALID_PARAMS', `cannot write ${path}: ${String(cause)}`, { cause });
    }
    const messages =
      format === 'matrix'
        ? (JSON.parse(text) as { messages: unknown[] }).messages.length
        : text.split('\n').length - 2;
    return { messages };
  }
}

/** The plans of an export: one room's, or one per chat of a whole Telegram account. */
function plansOf(format: HistoryFormat, text: string): ImportPlan[] {
  if (format === 'kith') return [exportToImport(parseExport(text))];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const what = format === 'matrix' ? 'Matrix' : 'Telegram';
    throw new AppError('INVALID_PARAMS', `the ${what} export is not JSON`, { cause });
  }
  if (format === 'telegram') return telegramToMimi(json).map((chat) => chat.plan);
  return [matrixToMimi(json)];
}

/** The result of a one-room import, as the daemon always answered it (no `name`). */
function strip(result: ImportResult & { name?: string }): ImportResult {
  return {
    roomId: result.roomId,
    imported: result.imported,
    skipped: result.skipped,
    skippedBy: result.skippedBy,
    truncated: result.truncated,
  };
}

async function readText(path: string): Promise<string> {
  try {
    if ((await stat(path)).size > ImportLimits.maxExportBytes) {
      throw new AppError('INVALID_PARAMS', `${path} is larger than an import may be`);
    }
    return await readFile(path, 'utf8');
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('INVALID_PARAMS', `cannot read ${path}: ${String(cause)}`, { cause });
  }
}

function merge(a: SkipCounts, b: SkipCounts): SkipCounts {
  const out: SkipCounts = { ...a };
  for (const [k, v] of Object.entries(b) as [keyof SkipCounts, number][])
    out[k] = (out[k] ?? 0) + v;
  return out;
}
