import { readFile, stat, writeFile } from 'node:fs/promises';
import {
  exportHistory,
  exportToImport,
  ImportLimits,
  matrixToMimi,
  parseExport,
  totalSkipped,
  type ImportPlan,
  type RoomId,
  type SkipCounts,
} from '@kith/core';
import type { KithNode } from '@kith/node';
import { AppError } from './app-error.ts';

export type HistoryFormat = 'matrix' | 'kith';

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
    const plan = planOf(format, await readText(path));
    // Check the room before creating one: a wrong roomId must not leave an empty room behind.
    const existing = target.roomId === undefined ? undefined : this.#roomId(target.roomId);
    const roomId =
      existing ??
      (await this.#node.createRoom({
        name: (target.name ?? plan.roomName ?? 'Imported history').slice(0, 60),
        members: [],
      }));
    this.#status = { active: true, done: 0, total: plan.items.length };
    try {
      const report = await this.#node.client.importHistory(roomId, plan.items, (done, total) => {
        this.#status = { active: true, done, total };
        onProgress?.(done, total);
      });
      const skippedBy = merge(plan.skipped, report.skipped);
      return {
        roomId,
        imported: report.imported,
        skipped: totalSkipped(skippedBy),
        skippedBy,
        truncated: plan.truncated,
      };
    } finally {
      this.#status = { ...this.#status, active: false };
    }
  }

  /** Writes the room's history to `path` as a Kith export; returns how many records. */
  async exportRoom(roomText: string, path: string): Promise<{ messages: number }> {
    const roomId = this.#roomId(roomText);
    const client = this.#node.client;
    const text = exportHistory({
      roomId,
      name: client.room(roomId).name,
      timeline: client.timeline(roomId),
    });
    try {
      await writeFile(path, text, { mode: 0o600 });
    } catch (cause) {
      throw new AppError('INVALID_PARAMS', `cannot write ${path}: ${String(cause)}`, { cause });
    }
    return { messages: text.split('\n').length - 2 };
  }
}

function planOf(format: HistoryFormat, text: string): ImportPlan {
  if (format === 'kith') return exportToImport(parseExport(text));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('INVALID_PARAMS', 'the Matrix export is not JSON', { cause });
  }
  return matrixToMimi(json);
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
