import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KithEvent } from '../../src/client/events.ts';
import { judgeInvite, visibleEvent, visibleTimeline } from '../../src/client/safety-policy.ts';
import type { InvitePolicy } from '../../src/client/safety-settings.ts';
import type { MessageId } from '../../src/content/message-id.ts';
import type { DeviceId, RoomId, UserId } from '../../src/ids.ts';
import type { TimelineMessage } from '../../src/timeline/timeline-message.ts';

const me = 'u-me' as UserId;
const friend = 'u-friend' as UserId;
const stranger = 'u-stranger' as UserId;
const pest = 'u-pest' as UserId;

function context(policy: InvitePolicy) {
  return {
    self: me,
    policy,
    isBlocked: (u: UserId) => u === pest,
    isContact: (u: UserId) => u === friend || u === pest,
  };
}

describe('judgeInvite', () => {
  it('follows the policy, blocks first, and always lets the user’s own devices in', () => {
    const verdicts = (policy: InvitePolicy) =>
      [me, friend, stranger, pest, undefined].map((u) => {
        const v = judgeInvite(u, context(policy));
        return v.ok ? 'ok' : v.reason;
      });
    expect(verdicts('anyone')).toEqual(['ok', 'ok', 'ok', 'blocked', 'ok']);
    expect(verdicts('contacts')).toEqual([
      'ok',
      'ok',
      'not-a-contact',
      'blocked',
      'unknown-inviter',
    ]);
    expect(verdicts('nobody')).toEqual(['ok', 'nobody', 'nobody', 'blocked', 'unknown-inviter']);
  });

  it('never accepts a blocked inviter, whatever the policy and contacts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<InvitePolicy>('anyone', 'contacts', 'nobody'),
        fc.boolean(),
        (policy, contact) => {
          const v = judgeInvite(pest, { ...context(policy), isContact: () => contact });
          expect(v).toEqual({ ok: false, reason: 'blocked' });
        },
      ),
    );
  });
});

function message(sender: UserId, reactions: [string, UserId[]][] = []): TimelineMessage {
  const content = { body: sender };
  return {
    messageId: new Uint8Array(32) as MessageId,
    sender,
    senderDevice: 'd' as DeviceId,
    ts: 0,
    lamport: 0,
    // Like the reducer's messages: content behind a getter.
    get content() {
      return content as unknown as TimelineMessage['content'];
    },
    edits: [],
    edited: false,
    retracted: false,
    reactions: new Map(reactions.map(([e, us]) => [e, new Set(us)])),
  };
}

describe('what a blocker sees', () => {
  const blocked = (u: UserId): boolean => u === pest;

  it('leaves out blocked senders and their reactions, keeps everything else as it is', () => {
    const plain = message(friend);
    const reacted = message(stranger, [
      ['👍', [pest, friend]],
      ['👎', [pest]],
    ]);
    const shown = visibleTimeline([plain, message(pest), reacted], blocked);
    expect(shown).toHaveLength(2);
    expect(shown[0]).toBe(plain);
    expect(shown[1]?.reactions).toEqual(new Map([['👍', new Set([friend])]]));
    expect(shown[1]?.content).toBe(reacted.content);
    expect(shown[1]?.sender).toBe(stranger);
  });

  it('drops timeline events about blocked senders, and passes other events untouched', () => {
    const roomId = 'r' as RoomId;
    const onlyPest: KithEvent = {
      type: 'timeline',
      roomId,
      changes: [{ type: 'added', message: message(pest) }],
    };
    expect(visibleEvent(onlyPest, blocked)).toBeUndefined();
    const mixed: KithEvent = {
      type: 'timeline',
      roomId,
      changes: [
        { type: 'added', message: message(pest) },
        { type: 'added', message: message(friend) },
        { type: 'removed', messageId: new Uint8Array(32) as MessageId },
      ],
    };
    const shown = visibleEvent(mixed, blocked);
    expect(shown?.type === 'timeline' && shown.changes.map((c) => c.type)).toEqual([
      'added',
      'removed',
    ]);
    const clean: KithEvent = {
      type: 'timeline',
      roomId,
      changes: [{ type: 'added', message: message(friend) }],
    };
    expect(visibleEvent(clean, blocked)).toBe(clean);
    const left: KithEvent = { type: 'left', roomId };
    expect(visibleEvent(left, blocked)).toBe(left);
  });
});
