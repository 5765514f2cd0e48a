import { useCallback, useState } from 'preact/hooks';
import type { RoomId, UserId } from '@kith/core';
import type { Messenger } from '../model/messenger.ts';
import { Avatar } from './avatar.tsx';
import { QrCode } from './qr-code.tsx';
import { SafetySettings } from './safety-settings.tsx';
import { ScanContact } from './scan-contact.tsx';
import { DevicesPanel } from './devices-panel.tsx';
import { VerifyContact, verificationBadge } from './verify-contact.tsx';

/** This person's contact link (text and QR code), adding a contact, and the contacts. */
export function ContactsPanel({
  messenger,
  onOpenRoom,
}: {
  messenger: Messenger;
  onOpenRoom: (roomId: RoomId) => void;
}) {
  const link = messenger.contactLink();
  const [paste, setPaste] = useState('');
  const [message, setMessage] = useState('');
  const [copied, setCopied] = useState(false);
  const [verifying, setVerifying] = useState<UserId | undefined>(undefined);
  const [scanning, setScanning] = useState(false);
  const contacts = messenger.contacts();
  const add = useCallback(
    (text: string): void => {
      messenger.addContact(text).then(
        (c) => {
          setPaste('');
          setMessage(`Added ${c.displayName || 'the contact'}.`);
        },
        (error: unknown) => {
          setMessage(
            `That is not a contact link: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
    },
    [messenger],
  );
  const scanned = useCallback(
    (text: string): void => {
      setScanning(false);
      add(text);
    },
    [add],
  );
  return (
    <section class="panel" aria-labelledby="contacts-heading">
      <h1 id="contacts-heading">Contacts</h1>
      <h2>Your contact link</h2>
      <p>Give it to the people you want to talk with; they add you with it.</p>
      <div class="link-card">
        <QrCode text={link} label="Your contact link as a QR code" />
        <div class="link-text">
          <label>
            Your contact link
            <textarea readonly rows={4} spellcheck={false} value={link} class="mono" />
          </label>
          <button
            type="button"
            onClick={() => {
              void navigator.clipboard.writeText(link).then(() => {
                setCopied(true);
              });
            }}
          >
            {copied ? 'Copied' : 'Copy link'}
          </button>
        </div>
      </div>
      <h2>Add a contact</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (paste.trim() === '') return;
          add(paste);
        }}
      >
        <label>
          Their contact link
          <textarea
            rows={3}
            spellcheck={false}
            class="mono"
            value={paste}
            onInput={(e) => {
              setPaste(e.currentTarget.value);
            }}
          />
        </label>
        <button type="submit">Add contact</button>{' '}
        {!scanning && (
          <button
            type="button"
            onClick={() => {
              setMessage('');
              setScanning(true);
            }}
          >
            Scan QR code
          </button>
        )}
        {scanning && (
          <ScanContact
            onLink={scanned}
            onClose={() => {
              setScanning(false);
            }}
          />
        )}
        {message !== '' && <p role="status">{message}</p>}
      </form>
      <h2>Your contacts</h2>
      {contacts.length === 0 ? (
        <p class="muted">None yet.</p>
      ) : (
        <ul class="contact-list">
          {contacts.map((c) => (
            <li key={c.userId}>
              <Avatar id={c.userId} name={c.displayName} />
              <span>{c.displayName}</span>
              <Presence state={messenger.device.client.presence(c.userId)?.state} />
              <VerifiedBadge text={verificationBadge(messenger.verification.state(c.userId))} />
              <button
                type="button"
                aria-label={`Verify ${c.displayName}`}
                onClick={() => {
                  setVerifying(c.userId);
                }}
              >
                Verify
              </button>
              <button
                type="button"
                aria-label={`Message ${c.displayName}`}
                onClick={() => {
                  void messenger.openDm(c.userId).then(onOpenRoom, (error: unknown) => {
                    setMessage(`Could not start a conversation: ${String(error)}`);
                  });
                }}
              >
                Message
              </button>
              <button
                type="button"
                class="danger"
                aria-label={`Block ${c.displayName}`}
                disabled={messenger.safety.blocked().some((b) => b.userId === c.userId)}
                onClick={() => {
                  messenger.safety.block(c.userId).catch((error: unknown) => {
                    setMessage(`Could not block: ${String(error)}`);
                  });
                }}
              >
                Block
              </button>
            </li>
          ))}
        </ul>
      )}
      {verifying !== undefined && (
        <VerifyContact
          messenger={messenger}
          userId={verifying}
          onClose={() => {
            setVerifying(undefined);
          }}
        />
      )}
      <SafetySettings messenger={messenger} />
      <DevicesPanel device={messenger.device} />
    </section>
  );
}

function VerifiedBadge({ text }: { text: string }) {
  return text === '' ? null : <small class="badge">{text}</small>;
}

/** A contact's presence, when a device of theirs announced it. */
function Presence({ state }: { state: 'online' | 'away' | 'offline' | undefined }) {
  return state === undefined ? null : (
    <small class={`presence presence-${state}`} aria-label={`Presence: ${state}`}>
      {state}
    </small>
  );
}
