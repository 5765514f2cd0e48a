/**
 * Telegram Desktop exports built in the test, in the two layouts the exporter has written:
 * `current` (since 2021: `text_entities`, `date_unixtime`, `from_id: "user123"`) and `older`
 * (numeric `from_id`, `text` as a string or an array of strings and entities, `date` only).
 */
type Json = Record<string, unknown>;
type Run = string | { type: string; text: string; href?: string; language?: string };

export type Layout = 'current' | 'older';

const BASE = 1_600_000_000;

/** A plain ISO date without zone, as the exporter writes `date`. */
function dateOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** One message `id` by user `user` at `BASE + id` seconds, with `text` in the layout's form. */
export function tgMessage(layout: Layout, id: number, user: number, text: Run[], extra: Json = {}) {
  const seconds = BASE + id;
  const common = { id, type: 'message', date: dateOf(seconds), from: `User ${user}` };
  if (layout === 'older') {
    const plain = text.every((r) => typeof r === 'string');
    return { ...common, from_id: user, text: plain ? text.join('') : text, ...extra };
  }
  const entities = text.map((r) => (typeof r === 'string' ? { type: 'plain', text: r } : r));
  return {
    ...common,
    date_unixtime: String(seconds),
    from_id: `user${user}`,
    text,
    text_entities: entities,
    ...extra,
  };
}

export function tgService(layout: Layout, id: number, action: string, extra: Json = {}) {
  const seconds = BASE + id;
  return {
    id,
    type: 'service',
    date: dateOf(seconds),
    ...(layout === 'current'
      ? { date_unixtime: String(seconds), actor_id: 'user1' }
      : { actor_id: 1 }),
    actor: 'User 1',
    action,
    text: '',
    ...extra,
  };
}

export function tgChat(name: string, messages: unknown[], id = 42): Json {
  return { name, type: 'private_group', id, messages };
}

/** A whole account's export: profile and contacts besides the chats. */
export function tgAccount(chats: Json[], left: Json[] = []): Json {
  return {
    about: 'Here is the data you requested.',
    personal_information: { user_id: 1, first_name: 'User' },
    contacts: { about: '', list: [] },
    chats: { about: '', list: chats },
    left_chats: { about: '', list: left },
  };
}

/** The timeline every layout must give for `richChat`. */
export function richChat(layout: Layout): Json {
  return tgChat('Friends', [
    tgService(layout, 1, 'create_group', { title: 'Friends', members: ['User 1'] }),
    tgMessage(layout, 2, 1, [
      'hello ',
      { type: 'bold', text: 'bold ' },
      'and ',
      { type: 'italic', text: 'it' },
    ]),
    tgMessage(layout, 3, 2, ['plain answer'], { reply_to_message_id: 2 }),
    tgMessage(layout, 4, 1, ['final text'], {
      edited: dateOf(BASE + 10),
      ...(layout === 'current' ? { edited_unixtime: String(BASE + 10) } : {}),
    }),
    tgMessage(layout, 5, 2, ['from elsewhere'], { forwarded_from: 'Carol_c' }),
    tgMessage(layout, 6, 1, ['a caption'], {
      photo: 'photos/photo_1@01-01-2021.jpg',
      width: 10,
      height: 10,
    }),
    tgMessage(layout, 7, 2, [''], {
      file: 'voice_messages/audio_1.ogg',
      media_type: 'voice_message',
      mime_type: 'audio/ogg',
      duration_seconds: 3,
    }),
    tgService(layout, 8, 'invite_members', { members: ['User 3'] }),
    tgMessage(layout, 9, 1, [
      { type: 'text_link', text: 'site', href: 'https://example.org/a_(b)' },
      ' ',
      { type: 'code', text: 'x*y' },
      ' ',
      { type: 'link', text: 'https://x.org' },
    ]),
    tgMessage(layout, 10, 2, [{ type: 'pre', text: 'let a = 1;', language: 'js' }]),
    tgService(layout, 11, 'pin_message', { message_id: 2 }),
  ]);
}
