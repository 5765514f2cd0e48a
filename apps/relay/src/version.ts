import { readFileSync } from 'node:fs';

/** This relay's version, from its package.json (shown by --version, /health and kith_relay_info). */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
