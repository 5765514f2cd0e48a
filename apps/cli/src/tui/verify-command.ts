import type { UserId } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';
import { verifierOf, type SafetyView } from '../app/verify.ts';
import type { Command } from './commands.ts';
import type { Outcome } from './execute.ts';

export type VerifyCommand = Extract<Command, { readonly kind: 'verify' }>;

/** The composer's table entry of /verify. */
export const verifySpec = {
  usage: '/verify <user> [yes|no]',
  summary: 'the safety number (and QR code) to compare with a contact; yes marks them verified',
  parse: (w: readonly string[]): Command | string => {
    const [user, answer] = w;
    if (user === undefined) return 'give a contact';
    if (w.length > 2 || (answer !== undefined && answer !== 'yes' && answer !== 'no')) {
      return 'after the contact, give yes (verified) or no (not), or nothing to see the number';
    }
    return { kind: 'verify', user, mark: answer === undefined ? undefined : answer === 'yes' };
  },
};

/** /verify: the number and its QR code; with yes or no, the mark too. */
export async function runVerifyCommand(
  app: KithApp,
  command: VerifyCommand,
  userOf: (text: string) => UserId,
): Promise<Outcome> {
  const user = userOf(command.user);
  const verifier = verifierOf(app);
  const view =
    command.mark === undefined
      ? await verifier.view(user)
      : await verifier.setVerified(user, command.mark);
  return { panel: { title: `Safety number with ${view.displayName}`, lines: safetyLines(view) } };
}

/** The panel: the number in three rows of four groups, the QR code, and where things stand. */
export function safetyLines(view: SafetyView): string[] {
  const groups = view.safetyNumber.split(' ');
  const rows = [0, 4, 8].map((i) => groups.slice(i, i + 4).join(' '));
  const name = view.displayName;
  let state: string;
  if (!view.verified) {
    state = `Not verified. Compare with ${name} (in person, or scan), then /verify ${quoted(name)} yes.`;
  } else if (view.devicesChanged) {
    state = `Verified, but ${name}'s devices changed since: compare again if you did not expect it.`;
  } else {
    state = `Verified on ${new Date(view.verifiedAt ?? 0).toISOString().slice(0, 10)}.`;
  }
  return [...rows, '', ...view.qr, '', state];
}

function quoted(name: string): string {
  return /\s/u.test(name) ? `"${name}"` : name;
}
