import { describe, expect, it } from 'vitest';
import { encodeCbor } from '../../src/cbor/encode.ts';
import { decodeBackupBody, type BackupBody } from '../../src/backup/backup-body.ts';
import {
  BackupLimits,
  openBackup,
  sealBackup,
  sealWith,
  type BackupKdfParams,
} from '../../src/backup/backup-file.ts';
import { exportHistory } from '../../src/import/export.ts';
import { parseExport } from '../../src/import/export-parse.ts';
import { exportToImport } from '../../src/import/kith-import.ts';
import { webRandom } from '../../src/ports/random.ts';
import { texts, World } from '../client/world.ts';

/** The floor: the cheapest parameters a file may name, so the tests stay quick. */
const FAST: BackupKdfParams = BackupLimits.minKdf;

const body: BackupBody = {
  createdAt: 1_700_000_000_000,
  userSecretKey: new Uint8Array(32).fill(7),
  deviceName: 'laptop',
  contacts: ['kith:contact-link-1'],
  settings: [['profile/displayName', '"Ann"']],
  rooms: [{ roomId: 'r1', name: 'Room', history: '{"format":"kith-history"}\n' }],
};

function code(promise: Promise<unknown>) {
  return promise.then(
    () => 'opened',
    (error: unknown) =>
      (error as { name: string; code: string }).name + ':' + (error as { code: string }).code,
  );
}

describe('backup file', () => {
  it('opens with its passphrase to exactly what was sealed; the header names its parameters', async () => {
    const file = await sealBackup(body, 'correct horse', webRandom, FAST);
    expect(new TextDecoder().decode(file.subarray(0, 10))).toBe('KITHBACKUP');
    expect(file[10]).toBe(1);
    await expect(openBackup(file, 'correct horse')).resolves.toEqual(body);
    // The passphrase is compared after Unicode normalisation (NFC): é typed either way.
    const accented = await sealBackup(body, 'caf\u00e9', webRandom, FAST);
    await expect(openBackup(accented, 'cafe\u0301')).resolves.toEqual(body);
  });

  it('a wrong passphrase is refused with a typed error', async () => {
    const file = await sealBackup(body, 'correct horse', webRandom, FAST);
    expect(await code(openBackup(file, 'correct hors'))).toBe('BackupError:BACKUP_DECRYPT_FAILED');
  });

  it('any damaged byte is refused: header, body or tag', async () => {
    const file = await sealBackup(body, 'pw', webRandom, FAST);
    const headerEnd = 13 + ((file[11] ?? 0) << 8) + (file[12] ?? 0);
    const at = (i: number) => {
      const copy = file.slice();
      copy[i] = (copy[i] ?? 0) ^ 1;
      return code(openBackup(copy, 'pw'));
    };
    expect(await at(0)).toBe('BackupError:BACKUP_NOT_KITH');
    expect(await at(10)).toBe('BackupError:BACKUP_UNSUPPORTED_VERSION');
    expect(await at(headerEnd - 1)).toBe('BackupError:BACKUP_DECRYPT_FAILED'); // the nonce
    expect(await at(13 + 16)).toBe('BackupError:BACKUP_DECRYPT_FAILED'); // the salt
    expect(await at(headerEnd - 30)).toBe('BackupError:BACKUP_MALFORMED'); // the AEAD's name
    expect(await at(headerEnd + 5)).toBe('BackupError:BACKUP_DECRYPT_FAILED'); // the body
    expect(await at(file.length - 1)).toBe('BackupError:BACKUP_DECRYPT_FAILED'); // the tag
    expect(await code(openBackup(file.subarray(0, file.length - 1), 'pw'))).toBe(
      'BackupError:BACKUP_DECRYPT_FAILED',
    );
    expect(await code(openBackup(file.subarray(0, 20), 'pw'))).toBe('BackupError:BACKUP_NOT_KITH');
    expect(await code(openBackup(new Uint8Array(), 'pw'))).toBe('BackupError:BACKUP_NOT_KITH');
  });

  it('a file naming parameters below the floor is refused before any work, even with its passphrase', async () => {
    for (const weak of [
      { logN: 10, r: 8, p: 1 },
      { logN: 15, r: 1, p: 1 },
      { logN: 14, r: 16, p: 4 },
    ]) {
      const file = await sealWith(body, 'pw', webRandom, weak);
      expect(await code(openBackup(file, 'pw'))).toBe('BackupError:BACKUP_WEAK_KDF');
    }
    await expect(sealBackup(body, 'pw', webRandom, { logN: 12, r: 8, p: 1 })).rejects.toThrow(
      RangeError,
    );
  });

  it('a file naming parameters above the ceiling is refused without deriving (no 2^40 work)', async () => {
    const file = await sealWith(body, 'pw', webRandom, FAST);
    // Rewrite logN (the header's second element, a one-byte integer) to 40: the AEAD would
    // catch it, but only after the KDF ran; the ceiling refuses first.
    const copy = file.slice();
    const logNAt = copy.indexOf(15, 13);
    copy[logNAt] = 0x18;
    const patched = new Uint8Array([
      ...copy.subarray(0, logNAt + 1),
      40,
      ...copy.subarray(logNAt + 1),
    ]);
    patched[12] = (patched[12] ?? 0) + 1;
    expect(await code(openBackup(patched, 'pw'))).toBe('BackupError:BACKUP_WEAK_KDF');
  });

  it('a body that is not a backup body is refused with BACKUP_MALFORMED', () => {
    const bad = [
      encodeCbor([2]),
      encodeCbor([1, 0]),
      encodeCbor([1, 0, new Uint8Array(31), 'd', [], [], []]),
      encodeCbor([1, 0, new Uint8Array(32), 'd', ['x'], [['k']], []]),
      new Uint8Array([0xff]),
    ];
    for (const bytes of bad) {
      expect(() => decodeBackupBody(bytes)).toThrow(
        expect.objectContaining({ name: 'BackupError', code: 'BACKUP_MALFORMED' }) as Error,
      );
    }
  });
});

describe('restoring the user key', () => {
  it('makes a new device of the same user, holding the key again, with its history back', async () => {
    const world = new World(301);
    const [a, b] = [await world.add('a'), await world.add('b')];
    const roomId = await a.createRoom({ name: 'ours' });
    await world.invite(a, roomId, [b]);
    await a.send(roomId, 'before the loss');
    await world.settle();
    await b.send(roomId, 'an answer');
    await world.settle();
    const key = a.userIdentity?.keyPair.secretKey;
    if (key === undefined) throw new Error('the first device holds the user key');
    const file = await sealBackup(
      {
        ...body,
        userSecretKey: key,
        rooms: [
          {
            roomId,
            name: 'ours',
            history: exportHistory({ roomId, name: 'ours', timeline: a.timeline(roomId) }),
          },
        ],
      },
      'pw',
      webRandom,
      FAST,
    );

    const restored = await openBackup(file, 'pw');
    const a2 = await world.add('a restored', { restoredUserKey: restored.userSecretKey });
    expect(a2.userId).toBe(a.userId);
    expect(a2.deviceId).not.toBe(a.deviceId);
    expect(a2.device.certificate.userPublicKey).toEqual(a.device.certificate.userPublicKey);
    // It holds the user key, so it can certify further devices and make the next backup.
    expect(a2.userIdentity?.userId).toBe(a.userId);
    const history = restored.rooms[0]?.history ?? '';
    const fresh = await a2.createRoom({ name: 'ours' });
    await a2.importHistory(fresh, exportToImport(parseExport(history)).items);
    expect(texts(a2, fresh)).toEqual(['before the loss', 'an answer']);
    expect(a2.timeline(fresh).map((m) => m.imported?.sender)).toEqual([
      `kith:user/${a.userId}`,
      `kith:user/${b.userId}`,
    ]);
  });

  it('a bad key is refused when opening, and nothing is created', async () => {
    const world = new World(302);
    await expect(world.add('x', { restoredUserKey: new Uint8Array(31) })).rejects.toMatchObject({
      name: 'IdentityError',
      code: 'IDENTITY_INVALID_KEY',
    });
  });
});
