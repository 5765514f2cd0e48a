import { describe, expect, it } from 'vitest';
import { decodeContent, encodeContent } from '../../src/content/codec.ts';
import { callRecordOf, missedCallMessage } from '../../src/calls/missed-call.ts';
import { callId } from './call-net.ts';

describe('the missed-call timeline entry', () => {
  it('is a MIMI message: a call record with a text fallback, that round-trips the codec', () => {
    const content = missedCallMessage(callId(4), 'video', { salt: new Uint8Array(16).fill(1) });
    const decoded = decodeContent(encodeContent(content));
    expect(callRecordOf(decoded)).toEqual({ callId: callId(4), media: 'video', outcome: 'missed' });
    const body = decoded.body;
    if (body.kind !== 'multi') throw new Error('multipart expected');
    expect(body.semantics).toBe('chooseOne');
    const text = body.parts[1];
    if (text?.kind !== 'single') throw new Error('text part expected');
    expect(text.contentType).toMatch(/^text\/plain/);
    expect(new TextDecoder().decode(text.content)).toBe('Missed video call');
  });
});
