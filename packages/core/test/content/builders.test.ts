import { describe, expect, it } from 'vitest';
import {
  attachmentMessage,
  contentMessageId,
  decodeContent,
  edit,
  encodeContent,
  expiresAfterReading,
  expiresAt,
  markdownMessage,
  markdownPart,
  mention,
  message,
  multiPart,
  reaction,
  reply,
  retraction,
  textMessage,
  threadMessage,
  unreaction,
  type MessageId,
  type MessageRef,
} from '../../src/index.ts';
import { contentVectors, hex, toHex } from '../shared.ts';

const alice = 'mimi://example.com/u/alice-smith';
const bob = 'mimi://example.com/u/bob-jones';
const cathy = 'mimi://example.com/u/cathy-washington';
const room = 'mimi://example.com/r/engineering_team';

function vector(name: string): { bytes: Uint8Array; ref: MessageRef } {
  const v = contentVectors().find((x) => x.name === name);
  if (v?.messageId === undefined) throw new Error(`no vector ${name}`);
  const bytes = hex(v.cborHex);
  return {
    bytes,
    ref: { messageId: hex(v.messageId) as MessageId, content: decodeContent(bytes) },
  };
}

const original = vector('original');
const replyVector = vector('reply');

describe('builders reproduce the draft examples byte for byte', () => {
  it('a Markdown message (original)', () => {
    const content = markdownMessage('Hi everyone, we just shipped release 2.0. __Good  work__!', {
      salt: hex('5eed9406c2545547ab6f09f20a18b003'),
      senderUri: alice,
      roomUri: room,
    });
    expect(encodeContent(content)).toEqual(original.bytes);
  });

  it('a reply', () => {
    const content = reply(
      original.ref.messageId,
      markdownPart("Right on! _Congratulations_ 'all!"),
      {
        salt: hex('11a458c73b8dd2cf404db4b378b8fe4d'),
        senderUri: bob,
        roomUri: room,
      },
    );
    expect(encodeContent(content)).toEqual(replyVector.bytes);
  });

  it('a reaction', () => {
    const content = reaction(original.ref.messageId, '\u2764', {
      salt: hex('d37bc0e6a8b4f04e9e6382375f587bf6'),
      senderUri: cathy,
      roomUri: room,
    });
    expect(encodeContent(content)).toEqual(vector('reaction').bytes);
  });

  it('an edit replaces the first version and keeps the reply target', () => {
    const content = edit(replyVector.ref, markdownPart("Right on! _Congratulations_ y'all!"), {
      salt: hex('b8c2e6d8800ecf45df39be6c45f4c042'),
      senderUri: bob,
      roomUri: room,
    });
    expect(encodeContent(content)).toEqual(vector('edit').bytes);
  });

  it('a retraction (delete)', () => {
    const content = retraction(replyVector.ref, {
      salt: hex('0a590d73b2c7761c39168be5ebf7f2e6'),
      senderUri: bob,
      roomUri: room,
    });
    expect(encodeContent(content)).toEqual(vector('delete').bytes);
  });

  it('a mention', () => {
    const text = `Kudos to ${mention('Alice Smith', alice)} for making the release happen!`;
    const content = reply(original.ref.messageId, markdownPart(text), {
      salt: hex('04f290e215d0f82d1750bfa8b7dc089d'),
      senderUri: cathy,
      roomUri: room,
    });
    expect(encodeContent(content)).toEqual(vector('mention').bytes);
  });

  it('an attachment', () => {
    const content = attachmentMessage(
      {
        url: 'https://example.com/storage/8ksB4bSrrRE.mp4',
        contentType: 'video/mp4',
        language: 'en',
        size: 708234961,
        key: hex('21399320958a6f4c745dde670d95e0d8'),
        nonce: hex('c86cf2c33f21527d1dd76f5b'),
        contentHash: hex('9ab17a8cf0890baaae7ee016c7312fcc080ba46498389458ee44f0276e783163'),
        description: '2 hours of key signing video',
        filename: 'bigfile.mp4',
      },
      { salt: hex('18fac6371e4e53f1aeaf8a013155c166'), senderUri: bob, roomUri: room },
    );
    expect(encodeContent(content)).toEqual(vector('attachment').bytes);
  });

  it('a multipart alternative (multipart-1)', () => {
    const vendorPart = {
      disposition: 1,
      language: '',
      kind: 'single',
      contentType: 'application/vnd.examplevendor-fancy-im-message',
      content: hex('dc861ebaa718fd7c3ca159f71a2001'),
    } as const;
    const content = message(multiPart('chooseOne', [markdownPart('# Welcome!'), vendorPart]), {
      salt: hex('261c953e178af653fe3d42641b91d814'),
      senderUri: alice,
      roomUri: room,
    });
    expect(encodeContent(content)).toEqual(vector('multipart-1').bytes);
  });

  it('an expiring message has the ID the status example gives it', () => {
    const content = markdownMessage(
      "__*VPN GOING DOWN*__ I'm rebooting the VPN in ten minutes unless anyone objects.",
      {
        salt: hex('33be993eb39f418f9295afc2ae160d2d'),
        senderUri: alice,
        roomUri: room,
        expires: expiresAt(1644390004),
      },
    );
    const id = contentMessageId(encodeContent(content), alice, room);
    expect(toHex(id)).toBe('01e59db8173939facc2c8a4a0f0ae8d0c7a11a81239626630c9464a8d6717a03');
  });
});

describe('builders', () => {
  const options = { salt: new Uint8Array(16).fill(7), senderUri: alice, roomUri: room };

  it('a plain-text message is UTF-8 text/plain', () => {
    const { body } = textMessage('h\u00e9llo \u{1f44b}', options);
    expect(body).toMatchObject({ kind: 'single', contentType: 'text/plain;charset=utf-8' });
    expect(body.kind === 'single' && new TextDecoder().decode(body.content)).toBe(
      'h\u00e9llo \u{1f44b}',
    );
  });

  it('a Markdown message neutralises HTML tags (GFM-MIMI "No HTML")', () => {
    const { body } = markdownMessage('<b>bold</b> and a < b', options);
    expect(body.kind === 'single' && new TextDecoder().decode(body.content)).toBe(
      '&lt;b>bold&lt;/b> and a < b',
    );
  });

  it('refuses text with a lone surrogate instead of corrupting it', () => {
    expect(() => textMessage('broken \ud800', options)).toThrow(
      expect.objectContaining({ name: 'ContentError', code: 'CONTENT_INVALID_TEXT' }),
    );
  });

  it('a thread message carries its topic', () => {
    const topic = original.ref.messageId;
    const content = threadMessage(topic, markdownPart('in the thread'), options);
    expect(decodeContent(encodeContent(content)).topicId).toEqual(topic);
  });

  it('an edit of an edit still replaces the first version, keeping thread and expiry', () => {
    const first: MessageRef = {
      messageId: original.ref.messageId,
      content: threadMessage(hex('aa'), markdownPart('v1'), {
        ...options,
        expires: expiresAfterReading(60),
      }),
    };
    const second = edit(first, markdownPart('v2'), options);
    const secondRef = {
      messageId: contentMessageId(encodeContent(second), alice, room),
      content: second,
    };
    const third = edit(secondRef, markdownPart('v3'), options);
    expect(third.replaces).toEqual(first.messageId);
    expect(third.topicId).toEqual(hex('aa'));
    expect(third.expires).toEqual({ relative: true, time: 60 });
  });

  it('an unreaction retracts a reaction and refuses anything else', () => {
    const cathysReaction = vector('reaction').ref;
    const content = unreaction(cathysReaction, options);
    expect(content.replaces).toEqual(cathysReaction.messageId);
    expect(content.inReplyTo).toEqual(original.ref.messageId);
    expect(content.body.kind).toBe('null');
    expect(() => unreaction(original.ref, options)).toThrow(
      expect.objectContaining({ name: 'ContentError', code: 'CONTENT_MALFORMED' }),
    );
  });

  it('an attachment with a caption is a processAll multipart', () => {
    const content = attachmentMessage(
      {
        url: 'https://example.com/blob',
        contentType: 'image/png',
        size: 10,
        key: new Uint8Array(16),
        nonce: new Uint8Array(12),
        contentHash: new Uint8Array(32),
      },
      { ...options, caption: 'look' },
    );
    expect(content.body).toMatchObject({ kind: 'multi', semantics: 'processAll' });
    expect(decodeContent(encodeContent(content))).toEqual(content);
  });
});
