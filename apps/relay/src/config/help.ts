import { CONFIG_ENV } from './load-config.ts';
import { SETTINGS, envOf, flagOf } from './settings.ts';

export function helpText(version: string): string {
  const settings = Object.values(SETTINGS)
    .map((s) => {
      const given =
        s.default !== undefined
          ? `Default: ${shown(s.default)}.`
          : s.optional === true
            ? 'Default: none.'
            : 'Required.';
      const repeat = s.list === true ? ' (repeatable)' : '';
      return `  ${flagOf(s.key)} ${s.kind.arg}${repeat}    ${envOf(s.key)}    "${s.key}"
${wrap(`${s.summary} ${given}`, '      ')}`;
    })
    .join('\n');
  return `kith-relay ${version}: a relay node for Kith, the peer-to-peer end-to-end-encrypted messenger.
It relays connections (libp2p circuit relay v2) for devices that cannot reach each other and
serves health and Prometheus metrics. It sees addresses and sizes, never message content.

Usage:
  kith-relay --data-dir DIR [--listen MULTIADDR]... [--config FILE] [--SETTING VALUE]...
  kith-relay --check-config [...]    print the settings in force as JSON and exit
  kith-relay --help | --version

Once ready it prints its dialable multiaddrs (one per line, each ending in /p2p/<peer id>) on
stdout and writes them to DIR/multiaddrs; logs are JSON lines on stderr.

Settings: flag, environment variable, and "key" in the JSON config file. Flags win over the
environment, which wins over the file, which wins over the defaults.

  --config FILE    ${CONFIG_ENV}
      A JSON file of settings, nested by the dots of their keys: {"circuit": {"maxReservations": 64}}.
${settings}

Sizes are bytes or take a unit: B, KiB, MiB, GiB, TiB (or kB, MB, GB, TB). Durations are seconds
or take a unit: ms, s, m, h, d. Lists in a variable are separated by commas or spaces.

Files in DIR: identity (the relay's private key: back it up), db/ (its database), multiaddrs and
http-address (present while it runs).

Browsers dial only secure WebSockets: give --tls-cert and --tls-key (a certificate for the
relay's DNS name; announce /dns4/NAME/tcp/PORT/tls/ws), or put a TLS-terminating proxy (Caddy,
nginx) in front of a /ws address and announce the proxy's wss address (see the README).

SIGHUP reads tls.cert and tls.key again: new connections use them, open ones keep theirs, and
files that cannot be used leave the certificate in use (the log says why).
SIGINT or SIGTERM stops it gracefully; a second signal exits at once.
Exit codes: 0 stopped, 1 could not start or stop cleanly, 2 bad settings or usage.
`;
}

/** Wraps words at 96 columns, each line indented. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > 96) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => indent + l).join('\n');
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.join(' ');
  return typeof value === 'string' || typeof value === 'number'
    ? String(value)
    : JSON.stringify(value);
}
