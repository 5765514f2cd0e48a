import type { CiphersuiteImpl } from 'ts-mls';
import type { EpochRecord } from '../../group/epoch.ts';
import { exportEpochSecrets } from '../../group/exporter.ts';
import type { SframeSuite } from './suites.ts';

/** RFC 9605 §5.2: the exporter label of an epoch's SFrame base key. */
export const SFRAME_EXPORTER_LABEL = 'SFrame 1.0 Base Key';

/** base_key = MLS-Exporter("SFrame 1.0 Base Key", "", AEAD.Nk) of one epoch. */
export async function sframeBaseKey(
  record: EpochRecord,
  cs: CiphersuiteImpl,
  suite: SframeSuite,
): Promise<Uint8Array> {
  const [secret] = await exportEpochSecrets(
    [record],
    cs,
    SFRAME_EXPORTER_LABEL,
    new Uint8Array(),
    suite.nk,
  );
  if (secret === undefined) throw new Error('the exporter returned nothing');
  return secret.secret;
}
