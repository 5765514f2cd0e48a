import { useEffect, useState } from 'preact/hooks';
import { relaysFromAddress, type Settings } from '../boot.ts';
import { servedRelay } from '../model/served-relay.ts';

/** First visit: who the person is, what this device is called, which relays it uses. */
export function Onboarding({ onDone }: { onDone: (settings: Settings) => void }) {
  const [displayName, setDisplayName] = useState('');
  const [deviceName, setDeviceName] = useState('Web browser');
  const [relays, setRelays] = useState(relaysFromAddress().join('\n'));
  const [error, setError] = useState('');
  // A page served by a relay (`kith-relay --web`) uses that relay unless the address names one.
  useEffect(() => {
    if (relays !== '') return;
    void servedRelay().then((relay) => {
      if (relay !== undefined) setRelays((typed) => (typed === '' ? relay : typed));
    });
  }, []); // once, on the first render
  return (
    <main class="centered onboarding">
      <h1>Welcome to Kith</h1>
      <p>
        Messages are end-to-end encrypted and kept in this browser. Relays only pass on what your
        contacts cannot receive directly, and cannot read it.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const name = displayName.trim();
          if (name === '') {
            setError('Choose the name your contacts will see.');
            return;
          }
          if (new TextEncoder().encode(name).length > 64) {
            setError('A name is at most 64 bytes.');
            return;
          }
          const list = relays
            .split(/\s+/)
            .map((r) => r.trim())
            .filter((r) => r !== '');
          const bad = list.find((r) => !r.startsWith('/') || !r.includes('/p2p/'));
          if (bad !== undefined) {
            setError(`Not a relay address (a multiaddr ending in /p2p/…): ${bad}`);
            return;
          }
          onDone({
            displayName: name,
            deviceName: deviceName.trim() || 'Web browser',
            relays: list,
          });
        }}
      >
        <label>
          Your name
          <input
            name="displayName"
            autocomplete="nickname"
            required
            value={displayName}
            onInput={(e) => {
              setDisplayName(e.currentTarget.value);
            }}
          />
        </label>
        <label>
          This device's name
          <input
            name="deviceName"
            value={deviceName}
            onInput={(e) => {
              setDeviceName(e.currentTarget.value);
            }}
          />
        </label>
        <label>
          Relay addresses (one per line)
          <textarea
            name="relays"
            rows={3}
            spellcheck={false}
            placeholder="/dns4/relay.example.org/tcp/443/wss/p2p/12D3KooW…"
            value={relays}
            onInput={(e) => {
              setRelays(e.currentTarget.value);
            }}
          />
        </label>
        {error !== '' && <p role="alert">{error}</p>}
        <button type="submit">Start</button>
      </form>
    </main>
  );
}
