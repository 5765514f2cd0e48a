import { useState } from 'preact/hooks';
import type { UserId } from '@kith/core';
import type { Verification } from '../model/contact-verification.ts';
import type { Messenger } from '../model/messenger.ts';
import { QrCode } from './qr-code.tsx';

/** A short word for the contact list: verified, changed since, or nothing. */
export function verificationBadge(state: Verification): string {
  return state.kind === 'verified' ? 'Verified' : state.kind === 'changed' ? 'Keys changed' : '';
}

/** What changed since the contact was verified, in words. */
function changeText(name: string, state: Verification & { kind: 'changed' }): string {
  const parts: string[] = [];
  if (state.keyChanged) parts.push(`${name}'s identity key is not the one you verified`);
  if (state.added.length > 0) parts.push(`${state.added.length} new device`);
  if (state.removed.length > 0) parts.push(`${state.removed.length} device removed`);
  return `Changed since you verified ${name}: ${parts.join(', ')}. Compare the safety number again.`;
}

/**
 * The safety number of this person and a contact, as digits and as a QR code, to compare in
 * person or on a call; marking the contact verified; and what changed since, when it did.
 */
export function VerifyContact({
  messenger,
  userId,
  onClose,
}: {
  messenger: Messenger;
  userId: UserId;
  onClose: () => void;
}) {
  const [error, setError] = useState('');
  const verification = messenger.verification;
  const name = messenger.nameOf(userId);
  const number = verification.safetyNumber(userId);
  const state = verification.state(userId);
  const report = (e: unknown) => {
    setError(e instanceof Error ? e.message : String(e));
  };
  return (
    <section class="verify" aria-labelledby="verify-heading">
      <h2 id="verify-heading">Verify {name}</h2>
      {number === undefined ? (
        <p>No key is known for {name}: add their contact link first.</p>
      ) : (
        <>
          <p>
            Compare this number with the one {name} sees for you, in person or on a call. If they
            match, nobody stands between you.
          </p>
          <div class="link-card">
            <QrCode
              text={`kith-safety:${number.replace(/ /g, '')}`}
              label="Safety number as a QR code"
            />
            <p class="safety-number mono" aria-label="Safety number">
              {number}
            </p>
          </div>
        </>
      )}
      <p role="status" aria-label="Verification">
        {state.kind === 'verified'
          ? `You verified ${name}.`
          : state.kind === 'changed'
            ? changeText(name, state)
            : `${name} is not verified.`}
      </p>
      <div class="row">
        {number !== undefined && state.kind !== 'verified' && (
          <button
            type="button"
            onClick={() => {
              verification.verify(userId, Date.now()).catch(report);
            }}
          >
            Mark as verified
          </button>
        )}
        {state.kind !== 'unverified' && (
          <button
            type="button"
            onClick={() => {
              verification.unverify(userId).catch(report);
            }}
          >
            Clear verification
          </button>
        )}
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      {error !== '' && <p role="alert">{error}</p>}
    </section>
  );
}
