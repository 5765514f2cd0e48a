import { describe, expect, it } from 'vitest';
import type { RoomId, UserId } from '@kith/core';
import { connectionStatus } from '../src/model/connection.ts';
import { completeMention, mentionQuery } from '../src/model/mention-complete.ts';
import { qrPath } from '../src/model/qr.ts';
import { pickAddress } from '../src/model/served-relay.ts';
import { avatarLook } from '../src/model/avatar.ts';
import { BlockCache } from '../src/model/block-cache.ts';
import { roomLists, type RoomItem } from '../src/model/room-list.ts';
import { dayLabeller, timelineRows } from '../src/model/timeline-rows.ts';

const DAY = 24 * 3600_000;

describe('timeline rows', () => {
  const at = (id: string, ts: number, mine = false) => ({ messageId: id, ts, mine });

  it('put a divider before each day and the marker before the first unread message of others', () => {
    const noon = new Date(2026, 11, 6, 12).getTime();
    const label = dayLabeller(noon, 'en-GB');
    const messages = [
      at('a', noon - DAY),
      at('b', noon - DAY + 60_000, true),
      at('c', noon, true),
      at('d', noon),
    ];
    const rows = timelineRows(messages, 'a', label);
    expect(
      rows.map((r) => (r.kind === 'day' ? r.label : r.kind === 'new' ? 'NEW' : r.key)),
    ).toEqual(['Yesterday', 'a', 'b', 'Today', 'c', 'NEW', 'd']);
    expect(timelineRows(messages, 'd', label).some((r) => r.kind === 'new')).toBe(false);
    expect(label(noon - 3 * DAY)).toContain('2026');
  });

  it('place the marker before the first message of others when nothing was read', () => {
    const rows = timelineRows([at('a', 0, true), at('b', 1)], undefined, () => 'd');
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'new', 'message']);
  });
});

describe('room lists', () => {
  const item = (id: string, over: Partial<RoomItem> = {}): RoomItem => ({
    roomId: id as RoomId,
    name: id,
    dm: false,
    partner: undefined,
    unread: 0,
    mentions: false,
    active: true,
    lastActivity: 0,
    ...over,
  });

  it('keep DMs apart, one per person (the lower room ID), newest first, ties by name', () => {
    const bob = 'bob' as UserId;
    const lists = roomLists([
      item('r2', { name: 'b', lastActivity: 5, unread: 2 }),
      item('r1', { name: 'a', lastActivity: 5 }),
      item('r3', { name: 'z', lastActivity: 9 }),
      item('d2', { dm: true, partner: bob, unread: 1 }),
      item('d1', { dm: true, partner: bob, unread: 3 }),
    ]);
    expect(lists.rooms.map((r) => r.roomId)).toEqual(['r3', 'r1', 'r2']);
    expect(lists.dms.map((r) => r.roomId)).toEqual(['d1']);
    expect(lists.unread).toBe(5);
    // The same rooms in another order: the same lists.
    const again = roomLists([...lists.rooms].reverse().concat(lists.dms));
    expect(again.rooms.map((r) => r.roomId)).toEqual(['r3', 'r1', 'r2']);
  });
});

describe('the connection status', () => {
  const relay = { address: '/ip4/127.0.0.1/tcp/1/ws/p2p/x', connected: false, reserved: false };

  it('tells offline, connecting and online through N of M relays apart', () => {
    expect(
      connectionStatus(false, [{ ...relay, connected: true, reserved: true }], 0, 0).state,
    ).toBe('offline');
    expect(connectionStatus(true, [], 0, 0).text).toBe('Offline: no relay configured');
    expect(connectionStatus(true, [relay], 0, 0).state).toBe('connecting');
    expect(connectionStatus(true, [{ ...relay, connected: true }], 0, 0).state).toBe('connecting');
    const away = { ...relay, nextAttemptAt: 5_000, lastError: 'refused' };
    expect(connectionStatus(true, [away], 0, 1_000).text).toBe(
      'Offline: no relay reachable (refused); trying again in 4 s',
    );
    const online = connectionStatus(
      true,
      [{ ...relay, connected: true, reserved: true }, away],
      2,
      0,
    );
    expect(online.state === 'online' ? online.text : '').toBe(
      'Online through 1 of 2 relays, 2 devices connected',
    );
  });

  it('tells when the device was last online while it is not', () => {
    const now = new Date(2026, 11, 6, 12, 0).getTime();
    const before = new Date(2026, 11, 6, 9, 30).getTime();
    const text = connectionStatus(false, [], 0, now, before).text;
    expect(text).toMatch(/^Offline: this browser has no network \(last online .*30.*\)$/);
    expect(connectionStatus(true, [relay], 0, now, before).text).toMatch(/last online/);
    const reached = { ...relay, connected: true, reserved: true };
    expect(connectionStatus(true, [reached], 0, now, before).text).not.toMatch(/last online/);
  });
});

describe('the QR code', () => {
  it('is a square path of whole modules with a quiet zone', () => {
    const { path, size } = qrPath('kith:contact/abc');
    expect(size).toBe(21 + 8);
    expect(path).toMatch(/^(M\d+ \d+h1v1h-1z)+$/);
    // No module in the quiet zone.
    expect(path).not.toMatch(/M[0-3] |M\d+ [0-3]h/);
  });
});

describe('mention completion', () => {
  const people = [
    { userId: 'u1' as UserId, name: 'Bob' },
    { userId: 'u2' as UserId, name: 'Bobby Tables' },
    { userId: 'u3' as UserId, name: 'Rob' },
  ];

  it('offers members whose name starts with, then contains, what follows the @', () => {
    const q = mentionQuery('hi @ob', 6, people);
    expect(q?.candidates.map((p) => p.name)).toEqual(['Bob', 'Bobby Tables', 'Rob']);
    expect(mentionQuery('hi @bo', 6, people)?.candidates.map((p) => p.name)).toEqual([
      'Bob',
      'Bobby Tables',
    ]);
    // Not in a word (an address), not after a space, nothing matching.
    expect(mentionQuery('me@bo', 5, people)).toBeUndefined();
    expect(mentionQuery('@bo x', 5, people)).toBeUndefined();
    expect(mentionQuery('@zz', 3, people)).toBeUndefined();
  });

  it('replaces the query with the name and moves the caret after it', () => {
    const text = 'hi @bo, see';
    const q = mentionQuery(text, 6, people);
    if (q === undefined) throw new Error('no query');
    expect(completeMention(text, 6, q, { userId: 'u2' as UserId, name: 'Bobby Tables' })).toEqual({
      text: 'hi @Bobby Tables , see',
      caret: 17,
    });
  });
});

describe('the relay that served the page', () => {
  const id = '/p2p/12D3KooWRelay';
  const addresses = [
    `/ip4/10.0.0.5/tcp/4012/ws${id}`,
    `/ip4/127.0.0.1/tcp/4012/ws${id}`,
    `/dns4/relay.example.org/tcp/4443/tls/ws${id}`,
  ];

  it('is one address: secure from an https page, on the host the page was opened by', () => {
    expect(pickAddress(addresses, '127.0.0.1', false)).toBe(addresses[1]);
    expect(pickAddress(addresses, 'relay.example.org', true)).toBe(addresses[2]);
    expect(pickAddress(addresses, 'other.example', true)).toBe(addresses[2]);
    expect(pickAddress(addresses.slice(0, 2), 'relay.example.org', true)).toBeUndefined();
    expect(pickAddress(['/ip4/127.0.0.1/tcp/4012/ws'], '127.0.0.1', false)).toBeUndefined();
  });
});

describe('avatars', () => {
  it('show a data: raster image, else initials on a colour fixed by the ID', () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    expect(avatarLook('r1', 'Book club', png)).toMatchObject({ image: png, initials: 'BC' });
    // Nothing that would make a request or could carry script.
    for (const image of [
      'https://tracker.invalid/a.png',
      'data:image/svg+xml;base64,PHN2Zz4=',
      'javascript:alert(1)',
      `${png}"onerror="x`,
    ]) {
      expect(avatarLook('r1', 'x', image).image).toBeUndefined();
    }
    expect(avatarLook('r1', '  élan  vital  club', undefined).initials).toBe('ÉV');
    expect(avatarLook('r1', '', undefined).initials).toBe('?');
    expect(avatarLook('r1', '😀 party', undefined).initials).toBe('😀P');
    expect(avatarLook('r1', 'a', undefined).hue).toBe(avatarLook('r1', 'b', undefined).hue);
    const hues = new Set(
      ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => avatarLook(id, 'a', undefined).hue),
    );
    expect(hues.size).toBeGreaterThan(1);
  });
});

describe('parsed message bodies', () => {
  it('are parsed once per text and kind', () => {
    const cache = new BlockCache();
    let parses = 0;
    const parse = (text: string) => {
      parses++;
      return [{ t: 'p' as const, c: [{ t: 'text' as const, v: text }] }];
    };
    const first = cache.get(true, '**a**', parse);
    expect(cache.get(true, '**a**', parse)).toBe(first);
    expect(cache.get(false, '**a**', parse)).not.toBe(first);
    expect(parses).toBe(2);
  });
});
