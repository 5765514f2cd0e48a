import {
  exportHistory,
  exportToImport,
  ImportLimits,
  matrixToMimi,
  parseExport,
  totalSkipped,
  type ImportPlan,
  type KithClient,
  type RoomId,
} from '@kith/core';

export type HistoryFormat = 'matrix' | 'kith';

/** A room's history as a Kith export (JSON lines) and a file name for it. */
export function exportRoom(client: KithClient, roomId: RoomId): { text: string; fileName: string } {
  const name = client.room(roomId).name;
  const text = exportHistory({ roomId, name, timeline: client.timeline(roomId) });
  const safe = (name || 'room').replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 40);
  return { text, fileName: `kith-${safe}.jsonl` };
}

/** Reads an export (Matrix JSON, or a Kith export) into what the engine imports. */
export function planImport(format: HistoryFormat, text: string): ImportPlan {
  if (new TextEncoder().encode(text).length > ImportLimits.maxExportBytes) {
    throw new Error('the file is larger than an import may be');
  }
  if (format === 'kith') return exportToImport(parseExport(text));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('the Matrix export is not JSON');
  }
  return matrixToMimi(json);
}

/** Imports a plan into a new room of this device; progress as items done of all. */
export async function importPlan(
  client: KithClient,
  createRoom: (name: string) => Promise<RoomId>,
  plan: ImportPlan,
  name: string | undefined,
  onProgress: (done: number, total: number) => void,
): Promise<{ roomId: RoomId; imported: number; skipped: number }> {
  const roomId = await createRoom((name ?? plan.roomName ?? 'Imported history').slice(0, 60));
  const report = await client.importHistory(roomId, plan.items, onProgress);
  return {
    roomId,
    imported: report.imported,
    skipped: totalSkipped(plan.skipped) + totalSkipped(report.skipped),
  };
}
