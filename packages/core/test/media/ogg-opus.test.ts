import { describe, expect, it } from 'vitest';
import { oggOpusSummary } from '../../src/index.ts';
import { oggOpus } from '../../src/testing/media-samples.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('Ogg Opus summary (voice messages)', () => {
  it('reads the duration from the last granule less the pre-skip', () => {
    // 600 packets of 20 ms: 12 s; packets over 255 bytes span lacing values.
    const sizes = Array.from({ length: 600 }, (_, i) => (i < 300 ? 4 : 300));
    const summary = oggOpusSummary(oggOpus(sizes), 10);
    expect(summary.durationMs).toBe(12_000);
    expect(summary.channels).toBe(1);
    // Quiet first half (tiny packets), loud second half.
    expect(Array.from(summary.waveform)).toEqual([3, 3, 3, 3, 3, 255, 255, 255, 255, 255]);
  });

  it('gives at most as many samples as packets', () => {
    expect(oggOpusSummary(oggOpus([10, 20, 40]), 64).waveform).toEqual(Uint8Array.of(64, 128, 255));
  });

  it('refuses what is not a well-formed Ogg Opus stream', () => {
    const good = oggOpus([10, 20, 30]);
    expect(codeOf(() => oggOpusSummary(good.subarray(0, good.length - 1)))).toBe('AUDIO_INVALID');
    expect(codeOf(() => oggOpusSummary(new TextEncoder().encode('RIFF....WAVEfmt ')))).toBe(
      'AUDIO_INVALID',
    );
    expect(codeOf(() => oggOpusSummary(oggOpus([10], 3)))).toBe('AUDIO_INVALID');
    const notOpus = good.slice();
    notOpus[28] = 0x58; // 'OpusHead' -> 'OXusHead'
    expect(codeOf(() => oggOpusSummary(notOpus))).toBe('AUDIO_INVALID');
    expect(codeOf(() => oggOpusSummary(new Uint8Array()))).toBe('AUDIO_INVALID');
  });
});
