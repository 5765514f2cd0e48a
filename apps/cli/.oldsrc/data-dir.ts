import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where the device lives: `--data-dir`, else $KITH_DATA_DIR, else $XDG_DATA_HOME/kith, else
 * ~/.local/share/kith.
 */
export function dataDirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag !== undefined) return resolve(flag);
  const fromEnv = env['KITH_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const xdg = env['XDG_DATA_HOME'];
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'kith');
}
