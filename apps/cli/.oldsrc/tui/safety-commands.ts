import { shortUserId, type UserId } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type SafetyCommand = Extract<
  Command,
  { readonly kind: 'block' | 'unblock' | 'blocked' | 'invites' }
>;

const POLICY_TEXT: Readonly<Record<string, string>> = {
  anyone: 'anyone may add you to rooms',
  contacts: 'only your contacts may add you to rooms',
  nobody: 'nobody may add you to rooms',
};

/** /block, /unblock, /blocked and /invites: the user's own safety settings, in any room. */
export async function runSafetyCommand(
  app: KithApp,
  command: SafetyCommand,
  userOf: (text: string) => UserId,
): Promise<Outcome> {
  switch (command.kind) {
    case 'block': {
      const user = userOf(command.user);
      await app.safety.block(user);
      return info(
        `blocked ${app.nameOf(user)}: their messages are hidden, their invitations refused`,
      );
    }
    case 'unblock': {
      const user = userOf(command.user);
      await app.safety.unblock(user);
      return info(`unblocked ${app.nameOf(user)}`);
    }
    case 'blocked': {
      const list = app.safety.blocked();
      const lines =
        list.length === 0
          ? [
              'You block nobody. /block <user> hides someone’s messages and refuses their invitations.',
            ]
          : list.map((b) => `${b.displayName}  ${shortUserId(b.userId)}  since ${dateOf(b.since)}`);
      return { panel: { title: 'Blocked', lines } };
    }
    case 'invites': {
      if (command.policy !== undefined) await app.safety.setInvitePolicy(command.policy);
      const now = POLICY_TEXT[app.safety.invitePolicy()] ?? app.safety.invitePolicy();
      return info(command.policy === undefined ? `${now} (/invites anyone|contacts|nobody)` : now);
    }
  }
}

/** What the chat says when an invitation was turned away. */
export function refusedInviteText(fromName: string | undefined, reason: string): string {
  const who = fromName ?? 'someone';
  switch (reason) {
    case 'blocked':
      return `refused an invitation from ${who}: you block them`;
    case 'not-a-contact':
      return `refused an invitation from ${who}: not a contact (/invites anyone to allow)`;
    case 'nobody':
      return `refused an invitation from ${who}: /invites is nobody`;
    default:
      return `refused an invitation from ${who} (${reason})`;
  }
}

function info(text: string): Outcome {
  return { notice: { kind: 'info', text } };
}

function dateOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
