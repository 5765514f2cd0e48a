import { mlsExporter, type CiphersuiteImpl } from 'ts-mls';
import type { EpochRecord } from './epoch.ts';

export interface EpochSecret {
  readonly epoch: bigint;
  readonly epochId: Uint8Array;
  readonly secret: Uint8Array;
}

/**
 * A secret of each retained epoch from the MLS exporter (RFC 9420 §8.5), oldest first: what
 * every member of an epoch can derive and nobody else can. `context` binds it to one use.
 */
export async function exportEpochSecrets(
  chain: readonly EpochRecord[],
  cs: CiphersuiteImpl,
  label: string,
  context: Uint8Array,
  length = 32,
): Promise<EpochSecret[]> {
  const out: EpochSecret[] = [];
  for (const record of chain) {
    const secret = await mlsExporter(
      record.state.keySchedule.exporterSecret,
      label,
      context,
      length,
      cs,
    );
    out.push({ epoch: record.epoch, epochId: record.epochId, secret });
  }
  return out;
}
