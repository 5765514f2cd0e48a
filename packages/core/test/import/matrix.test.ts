import { describe, expect, it } from 'vitest';
import { decodeContent } from '../../src/content/codec.ts';
import { Disposition } from '../../src/content/model.ts';
import { MediaTypes } from '../../src/content/parts.ts';
import { bytesEqual } from '../../src/crypto/bytes.ts';
import type { ImportItem } from '../../src/import/item.ts';
import { ImportLimits } from '../../src/import/limits.ts';
import { ImportMaterializer } from '../../src/import/materialize.ts';
import { matrixToMimi } from '../../src/import/matrix.ts';
import { readOrigin } from '../../src/import/origin.ts';
import { messageText } from '../../src/timeline/message-text.ts';
import { event, sample, sampleNames } from './samples.ts';

/** What each sample becomes: an item kind, or the reason it is skipped. */
const EXPECTED: Record<string, string> = {
  'event.json': 'skip:malformed', // no event_id, sender or time: not a room event
  'm.reaction.yaml': 'skip:unknown-target', // reacts to an event not in the export
  'm.receipt.yaml': 'skip:malformed', // an EDU: no event_id
  'm.room.encrypted$megolm.yaml': 'skip:encrypted',
  'm.room.encrypted$olm.yaml': 'skip:encrypted',
  'm.room.member.yaml': 'skip:state',
  'm.room.message$m.audio.yaml': 'message',
  'm.room.message$m.emote.yaml': 'message',
  'm.room.message$m.file.yaml': 'message',
  'm.room.message$m.image.yaml': 'message',
  'm.room.message$m.key.verification.request.yaml': 'skip:unsupported-msgtype',
  'm.room.message$m.location.yaml': 'message',
  'm.room.message$m.notice.yaml': 'message',
  'm.room.message$m.server_notice.yaml': 'message',
  'm.room.message$m.text.yaml': 'message',
  'm.room.message$m.video.yaml': 'message',
  'm.room.power_levels.yaml': 'skip:state',
  'm.room.redaction.yaml': 'skip:unknown-target',
  'room_edu.json': 'skip:malformed',
  'room_event.json': 'skip:unsupported-type', // org.example.custom.event
  'state_event.json': 'skip:state',
};

const CTX = {
  senderUri: 'kith:user/importer',
  roomUri: 'kith:room/00',
  salt: () => new Uint8Array(16),
};

function must<T>(x: T | undefined): T {
  if (x === undefined) throw new Error('missing');
  return x;
}

function textOf(item: ImportItem | undefined): string {
  if (item === undefined || item.kind === 'retraction' || item.kind === 'reaction') return '';
  return messageText({
    salt: new Uint8Array(16),
    replaces: null,
    topicId: new Uint8Array(),
    expires: null,
    inReplyTo: null,
    extensions: {},
    body: item.body,
  });
}

describe('matrixToMimi on the Matrix spec samples', () => {
  it('knows what every sample in shared/samples/matrix becomes', () => {
    expect(sampleNames.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const name of sampleNames) {
    it(`${name}: ${EXPECTED[name] ?? '?'}`, () => {
      const plan = matrixToMimi([sample(name)]);
      const want = EXPECTED[name] ?? '';
      if (want.startsWith('skip:')) {
        expect(plan.items).toEqual([]);
        expect(plan.skipped).toEqual({ [want.slice(5)]: 1 });
      } else {
        expect(plan.skipped).toEqual({});
        expect(plan.items.map((i) => i.kind)).toEqual([want]);
        expect(plan.items[0]?.origin).toEqual({
          sender: '@example:example.org',
          ts: 1432735824653,
        });
      }
    });
  }

  it('turns each message type into readable text', () => {
    const text = (name: string) => textOf(matrixToMimi([sample(name)]).items[0]);
    expect(text('m.room.message$m.text.yaml')).toBe('**This is an example text message**');
    expect(text('m.room.message$m.notice.yaml')).toBe('\\[notice\\] This is an **example** notice');
    expect(text('m.room.message$m.emote.yaml')).toBe(
      '\\* example thinks **this** is an example emote',
    );
    expect(text('m.room.message$m.server_notice.yaml')).toBe(
      '[notice] Human-readable message to explain the notice',
    );
    expect(text('m.room.message$m.image.yaml')).toBe(
      '[image] filename.jpg (image/jpeg, 31037 bytes) mxc://example.org/JWEIFJgwEIhweiWJE',
    );
    expect(text('m.room.message$m.file.yaml')).toContain('[file] something-important.doc');
    expect(text('m.room.message$m.audio.yaml')).toContain('(audio/mpeg, 1563685 bytes)');
    expect(text('m.room.message$m.video.yaml')).toContain('[video] Gangnam Style');
    expect(text('m.room.message$m.location.yaml')).toBe(
      '[location] Big Ben, London, UK geo:51.5008,0.1247',
    );
    // HTML became Markdown; plain bodies stay plain text.
    const html = matrixToMimi([sample('m.room.message$m.text.yaml')]).items[0];
    expect(html?.kind === 'message' && html.body.kind === 'single' && html.body.contentType).toBe(
      MediaTypes.markdown,
    );
  });

  it('keeps display names from membership events as the original sender’s name', () => {
    const member = event('m.room.member.yaml', { state_key: '@example:example.org' });
    const plan = matrixToMimi({
      room_name: 'Ops',
      messages: [member, sample('m.room.message$m.text.yaml')],
    });
    expect(plan.roomName).toBe('Ops');
    expect(plan.items[0]?.origin).toMatchObject({ name: 'Alice Margatroid' });
  });
});

/** A conversation built from the samples' shapes: a message, a reply, an edit, reactions, redactions. */
function chain() {
  const text = (
    id: string,
    ts: number,
    body: string,
    extra: object = {},
    sender = '@alice:example.org',
  ) =>
    event('m.room.message$m.text.yaml', {
      event_id: id,
      origin_server_ts: ts,
      sender,
      content: { msgtype: 'm.text', body, ...extra },
    });
  return [
    text('$1', 1000, 'hello'),
    text(
      '$2',
      2000,
      '> <@alice:example.org> hello\n\nhi alice',
      {
        'm.relates_to': { 'm.in_reply_to': { event_id: '$1' } },
      },
      '@bob:example.org',
    ),
    text('$3', 3000, '* hello world', {
      'm.new_content': { msgtype: 'm.text', body: 'hello world' },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$1' },
    }),
    event('m.reaction.yaml', {
      event_id: '$4',
      origin_server_ts: 4000,
      sender: '@bob:example.org',
      content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$1', key: '👍' } },
    }),
    text('$5', 5000, 'in a thread', {
      'm.relates_to': { rel_type: 'm.thread', event_id: '$1', 'm.in_reply_to': { event_id: '$1' } },
    }),
    event('m.room.redaction.yaml', {
      event_id: '$6',
      origin_server_ts: 6000,
      sender: '@bob:example.org',
      content: { redacts: '$4' },
    }),
    event('m.room.redaction.yaml', {
      event_id: '$7',
      origin_server_ts: 7000,
      sender: '@mod:example.org',
      content: { redacts: '$2', reason: 'Spamming' },
    }),
    // Bob may not edit Alice's message.
    text(
      '$8',
      8000,
      '* pwned',
      {
        'm.new_content': { msgtype: 'm.text', body: 'pwned' },
        'm.relates_to': { rel_type: 'm.replace', event_id: '$1' },
      },
      '@bob:example.org',
    ),
  ];
}

describe('references between events', () => {
  it('map through the event ID table to the MIMI message IDs the import gives', () => {
    // Given in reverse order (as /messages with dir=b): sorted by time first.
    const plan = matrixToMimi({ chunk: chain().reverse() });
    expect(plan.skipped).toEqual({ 'foreign-edit': 1 });
    expect(plan.items.map((i) => i.kind)).toEqual([
      'message',
      'message',
      'edit',
      'reaction',
      'message',
      'retraction',
      'retraction',
    ]);
    expect(textOf(plan.items[1])).toBe('hi alice'); // the quoted fallback is gone

    let n = 0;
    const m = new ImportMaterializer({
      ...CTX,
      salt: () => Uint8Array.of(++n, ...new Uint8Array(15)),
    });
    const made = plan.items.map((item, i) => {
      const r = m.next(item, i);
      if (!r.ok) throw new Error(r.reason);
      expect(decodeContent(r.bytes)).toEqual(r.content);
      return r;
    });
    const [hello, reply, edit, reaction, thread, unreact, retract] = made;
    const id = (x: typeof hello) => x?.messageId ?? new Uint8Array();
    expect(bytesEqual(reply?.content.inReplyTo ?? new Uint8Array(), id(hello))).toBe(true);
    expect(bytesEqual(edit?.content.replaces ?? new Uint8Array(), id(hello))).toBe(true);
    expect(messageText(must(edit).content)).toBe('hello world');
    expect(reaction?.content.body.disposition).toBe(Disposition.reaction);
    expect(bytesEqual(reaction?.content.inReplyTo ?? new Uint8Array(), id(hello))).toBe(true);
    // The thread's topic is its root's MIMI message ID; the in-thread fallback reply is dropped.
    expect(bytesEqual(thread?.content.topicId ?? new Uint8Array(), id(hello))).toBe(true);
    expect(thread?.content.inReplyTo).toBeNull();
    expect(bytesEqual(unreact?.content.replaces ?? new Uint8Array(), id(reaction))).toBe(true);
    expect(unreact?.content.body.kind).toBe('null');
    expect(bytesEqual(retract?.content.replaces ?? new Uint8Array(), id(reply))).toBe(true);
    // Each carries its origin.
    expect(readOrigin(must(reply).content)).toEqual({ sender: '@bob:example.org', ts: 2000 });
    expect(readOrigin(must(retract).content)).toEqual({ sender: '@mod:example.org', ts: 7000 });
  });

  it('a thread whose root is not in the export gets a topic derived from the root’s event ID', () => {
    const plan = matrixToMimi([chain()[4]]);
    const thread = plan.items[0];
    expect(thread?.kind === 'message' && thread.thread instanceof Uint8Array).toBe(true);
    const again = matrixToMimi([chain()[4]]).items[0];
    expect(again).toEqual(thread);
  });

  it('skips duplicates, edits of unknown events and a second identical reaction', () => {
    const [hello, , , reaction] = chain();
    const plan = matrixToMimi([hello, hello, reaction, { ...reaction, event_id: '$9' }]);
    expect(plan.items.map((i) => i.kind)).toEqual(['message', 'reaction']);
    expect(plan.skipped).toEqual({ duplicate: 1, 'duplicate-reaction': 1 });
  });

  it('reads `redacts` at the top level too (room versions before 11)', () => {
    const [hello] = chain();
    const old = event('m.room.redaction.yaml', { event_id: '$r', redacts: '$1', content: {} });
    expect(matrixToMimi([hello, old]).items.map((i) => i.kind)).toEqual(['message', 'retraction']);
  });

  it('a redacted event in the export is skipped', () => {
    const redacted = event('m.room.message$m.text.yaml', {
      content: {},
      unsigned: { redacted_because: { type: 'm.room.redaction' } },
    });
    expect(matrixToMimi([redacted]).skipped).toEqual({ redacted: 1 });
  });
});

describe('malformed input never throws', () => {
  const base = sample('m.room.message$m.text.yaml');
  const cases: [string, unknown][] = [
    ['null', null],
    ['a number', 42],
    ['a string', 'messages'],
    ['an object without messages', { room_name: 'x' }],
    ['messages not an array', { messages: {} }],
    ['events of every JSON type', [null, 1, 'x', true, [], {}]],
    [
      'wrong types in fields',
      [
        { ...base, sender: 5 },
        { ...base, event_id: [] },
        { ...base, origin_server_ts: '1' },
      ],
    ],
    ['content not an object', [{ ...base, content: 'hi' }]],
    ['body not a string', [{ ...base, content: { msgtype: 'm.text', body: { x: 1 } } }]],
    [
      'negative and fractional times',
      [
        { ...base, origin_server_ts: -1 },
        { ...base, origin_server_ts: 1.5 },
      ],
    ],
    [
      'relations of the wrong shape',
      [{ ...base, content: { msgtype: 'm.text', body: 'x', 'm.relates_to': 'no' } }],
    ],
    [
      'edit without new content',
      [
        base,
        {
          ...base,
          event_id: '$x',
          content: {
            msgtype: 'm.text',
            body: '*',
            'm.relates_to': { rel_type: 'm.replace', event_id: base['event_id'] },
          },
        },
      ],
    ],
    ['prototype keys', JSON.parse('[{"__proto__": {"type": "m.room.message"}, "constructor": 1}]')],
    ['lone surrogates', [{ ...base, content: { msgtype: 'm.text', body: 'a\uD800b' } }]],
    ['overlong IDs', [{ ...base, event_id: `$${'x'.repeat(300)}` }]],
    [
      'broken HTML',
      [
        {
          ...base,
          content: {
            msgtype: 'm.text',
            body: 'x',
            format: 'org.matrix.custom.html',
            formatted_body:
              '<b><i><a href="javascript:alert(1)">x</b></blockquote></pre>&#xD800;&#99999999;<',
          },
        },
      ],
    ],
  ];
  for (const [what, input] of cases) {
    it(what, () => {
      const plan = matrixToMimi(input);
      const m = new ImportMaterializer(CTX);
      plan.items.forEach((item, i) => m.next(item, i));
    });
  }

  it('cuts huge bodies to the limit and counts them', () => {
    const huge = { ...base, content: { msgtype: 'm.text', body: '😀'.repeat(100_000) } };
    const plan = matrixToMimi([huge]);
    expect(plan.truncated).toBe(1);
    const made = new ImportMaterializer(CTX).next(must(plan.items[0]), 0);
    expect(made.ok).toBe(true);
    expect(made.ok && made.bytes.length).toBeLessThanOrEqual(ImportLimits.maxTextBytes + 200);
  });

  it('reads at most maxEvents events of 100k+ and counts the rest', () => {
    const events = Array.from({ length: ImportLimits.maxEvents + 5 }, (_, i) => ({
      ...base,
      event_id: `$e${i}`,
      origin_server_ts: i,
      content: { msgtype: 'm.text', body: `message ${i}` },
    }));
    const plan = matrixToMimi({ messages: events });
    expect(plan.items).toHaveLength(ImportLimits.maxEvents);
    expect(plan.skipped).toEqual({ limit: 5 });
  });
});
