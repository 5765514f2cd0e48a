import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { NotifySettings } from './notify-settings.ts';
import { sanitize, truncate } from './text.ts';

/**
 * How the chat gets attention: a desktop notification through `notify-send` (a graphical
 * session that has it), the terminal's own (OSC 777: VTE terminals, kitty, foot, WezTerm; the
 * rest ignore it), and the bell with either; the bell alone; or nothing.
 */
export type NotifyMode = 'desktop' | 'terminal' | 'bell' | 'off';

/** What the terminal does for an alert (the chat's Screen). */
export interface AlertOutput {
  bell(): void;
  /** OSC 777 `notify;TITLE;BODY`. */
  terminalNotification(title: string, body: string): void;
}

/** Starts a program and forgets it (its failure is no concern of the chat). */
export type Launch = (program: string, args: readonly string[]) => void;

const TITLE = 'Kith';
/** Columns of a message a notification shows. */
const BODY_COLUMNS = 120;

/**
 * The way to notify here: KITH_NOTIFY (desktop, terminal, bell or off) when set, else
 * notify-send when it is on PATH in a graphical session, else the terminal's notification.
 */
export function notifyModeOf(env: NodeJS.ProcessEnv): {
  readonly mode: NotifyMode;
  readonly notifySend?: string;
} {
  const asked = env['KITH_NOTIFY'];
  if (asked === 'off' || asked === 'bell' || asked === 'terminal') return { mode: asked };
  const graphical = (env['DISPLAY'] ?? env['WAYLAND_DISPLAY'] ?? '') !== '';
  const notifySend = graphical || asked === 'desktop' ? onPath('notify-send', env) : undefined;
  return notifySend === undefined ? { mode: 'terminal' } : { mode: 'desktop', notifySend };
}

/** Where `program` is on PATH, if it is there and may be run. */
function onPath(program: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, program);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

const launchDetached: Launch = (program, args) => {
  const child = spawn(program, args, { stdio: 'ignore' });
  child.on('error', () => undefined);
  child.unref();
};

/** Alerts for what the settings allow, the way this machine allows. */
export class Notifier {
  readonly settings: NotifySettings;
  readonly #out: AlertOutput;
  readonly #mode: NotifyMode;
  readonly #notifySend: string | undefined;
  readonly #launch: Launch;

  constructor(
    settings: NotifySettings,
    out: AlertOutput,
    how: { readonly mode: NotifyMode; readonly notifySend?: string },
    launch: Launch = launchDetached,
  ) {
    this.settings = settings;
    this.#out = out;
    this.#mode = how.mode;
    this.#notifySend = how.notifySend;
    this.#launch = launch;
  }

  /** Notifies `text` about `roomId` unless notifications are off or the room is muted. */
  alert(roomId: string, text: string): boolean {
    if (this.#mode === 'off' || !this.settings.allows(roomId)) return false;
    // A sender chooses their name and text: one line, no control characters, bounded.
    const body = truncate(sanitize(text), BODY_COLUMNS);
    if (this.#mode === 'desktop' && this.#notifySend !== undefined) {
      // notify-send reads a little markup in the body; `--` ends its options.
      this.#launch(this.#notifySend, ['--app-name=Kith', '--', TITLE, escapeMarkup(body)]);
    } else if (this.#mode === 'terminal') {
      this.#out.terminalNotification(TITLE, body);
    }
    this.#out.bell();
    return true;
  }

  /** Where notifications stand, for `/notify`. */
  describe(roomId: string | undefined): string {
    const how: Record<NotifyMode, string> = {
      desktop: 'notify-send and bell',
      terminal: 'terminal (OSC 777) and bell',
      bell: 'bell only: KITH_NOTIFY=bell',
      off: 'none: KITH_NOTIFY=off',
    };
    const on = this.settings.enabled ? `on (${how[this.#mode]})` : 'off';
    const here = roomId !== undefined && this.settings.muted(roomId) ? '; this room is muted' : '';
    return `notifications ${on}${here}`;
  }
}

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
