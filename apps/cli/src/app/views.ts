import type { DeviceId, UserId } from '@kith/core';

/** What the daemon's JSON-RPC and the terminal chat show: plain data, JSON-safe. */
export interface Whoami {
  readonly userId: UserId;
  readonly deviceId: DeviceId;
  readonly displayName: string;
  readonly addresses: string[];
  readonly contactLink: string;
}

interface MemberView {
  readonly userId: UserId;
  readonly displayName: string;
  readonly role: string;
}

export interface RoomView {
  readonly roomId: string;
  readonly name: string;
  readonly topic: string;
  readonly dm: boolean;
  /** False once this device left or was removed. */
  readonly active: boolean;
  readonly members: MemberView[];
  /** Messages from others after this device's read marker. */
  readonly unread: number;
}

export interface MessageView {
  /** Hex of the MIMI message ID. */
  readonly messageId: string;
  readonly sender: UserId;
  readonly senderName: string;
  readonly text: string;
  /** Milliseconds since the Unix epoch, as the sender stamped it. */
  readonly ts: number;
  readonly replyTo: string | null;
  readonly threadId: string | null;
  readonly edited: boolean;
  readonly retracted: boolean;
  readonly reactions: Record<string, UserId[]>;
}

export interface SyncView {
  /** True when no member this device has talked to holds anything it lacks. */
  readonly complete: boolean;
  readonly epoch: string;
  /** Messages held until an earlier one arrives. */
  readonly waiting: number;
  /** This device's messages no other member has confirmed yet. */
  readonly unsent: number;
}
