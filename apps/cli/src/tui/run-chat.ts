import { format } from 'node:util';
import { KithApp } from '../app/kith-app.ts';
import { openRpcDoor } from '../daemon/daemon.ts';
import { ChatController, messageOf, type ChatHooks } from './controller.ts';
import { askName } from './name-prompt.ts';
import { cursorOf, render } from './render.ts';
import { Notifier, notifyModeOf } from './notifier.ts';
import { NotifySettings } from './notify-settings.ts';
import { RoomOrder } from './room-order.ts';
import { Screen } from './terminal.ts';

export interface ChatOptions {
  readonly dataDir: string;
  readonly name?: string;
  readonly listen?: readonly string[];
  readonly relays?: readonly string[];
  readonly mdns: boolean;
  /** Where to serve JSON-RPC for scripts (0 picks a free port). */
  readonly rpcPort?: number;
}

/** Frames are drawn at most this often: a burst of engine events makes one frame. */
const FRAME_MS = 15;
/** The status line's peer count changes without an engine event: look again this often. */
const STATUS_MS = 1000;

/**
 * The interactive chat: opens the device (asking for a name on the first run), then runs full
 * screen until /quit, Ctrl-C, Ctrl-D or a signal, and gives the terminal back as it found it.
 */
export async function runChat(options: ChatOptions): Promise<void> {
  const input = process.stdin;
  const output = process.stdout;
  if (!input.isTTY || !output.isTTY) {
    throw new Error(
      'the chat needs a terminal; for scripts run `kith daemon` and call its methods',
    );
  }
  let warn: (text: string) => void = () => undefined;
  const app = await KithApp.open({
    dataDir: options.dataDir,
    mdns: options.mdns,
    ...(options.name === undefined ? {} : { displayName: options.name }),
    ...(options.listen === undefined ? {} : { listen: options.listen }),
    ...(options.relays === undefined ? {} : { relays: options.relays }),
    onError: (error) => {
      warn(messageOf(error));
    },
  });
  // Scripts drive the device the person is using: `kith METHOD` reaches this process.
  const door = await openRpcDoor(app, options.dataDir, options.rpcPort ?? 0).catch(
    async (error: unknown) => {
      await app.close();
      throw error;
    },
  );
  try {
    if (!(await ensureName(app, input, output, options.name ?? ''))) return;
    await chat(app, options.dataDir, input, output, (f) => (warn = f));
  } finally {
    await door.close();
    await app.close();
  }
}

/** First run: the name to show others, asked until one is given. False when the person gives up. */
async function ensureName(
  app: KithApp,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  prefill: string,
): Promise<boolean> {
  let problem: string | undefined;
  while (app.displayName === '') {
    const name = await askName(input, output, prefill, problem);
    if (name === undefined) return false;
    if (name === '') {
      problem = 'A name is needed (any name: /nick changes it later).';
      continue;
    }
    try {
      await app.setProfile(name);
    } catch (error) {
      problem = `${messageOf(error)}.`;
      prefill = name;
    }
  }
  return true;
}

async function chat(
  app: KithApp,
  dataDir: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WriteStream,
  onWarning: (warn: (text: string) => void) => void,
): Promise<void> {
  const screen = new Screen(input, output);
  const notifySettings = NotifySettings.load(dataDir, (error) => {
    controller.warn(`cannot keep the notification settings: ${messageOf(error)}`);
  });
  let stop: (failure?: unknown) => void = () => undefined;
  const done = new Promise<unknown>((resolve) => {
    stop = resolve;
  });
  let frame: ReturnType<typeof setTimeout> | undefined;
  let lastProblem = '';
  const draw = (): void => {
    frame = undefined;
    try {
      const width = screen.columns;
      const height = screen.rows;
      const state = controller.state();
      screen.draw(render(state, width, height), cursorOf(state, width, height));
      lastProblem = '';
    } catch (error) {
      // Shown once, not on every frame: a frame that fails would fail again.
      const text = `cannot draw: ${messageOf(error)}`;
      if (text !== lastProblem) controller.warn(text);
      lastProblem = text;
    }
  };
  const hooks: ChatHooks = {
    redraw: () => {
      frame ??= setTimeout(draw, FRAME_MS);
    },
    quit: () => {
      stop();
    },
    showOnMainScreen: (text) => {
      screen.showOnMainScreen(text);
    },
    returnToChat: () => {
      screen.returnToChat();
      hooks.redraw();
    },
    size: () => ({ columns: screen.columns, rows: screen.rows }),
    notifier: new Notifier(notifySettings, screen, notifyModeOf(process.env)),
  };
  const order = RoomOrder.load(dataDir, (error) => {
    controller.warn(`cannot keep the rooms' order: ${messageOf(error)}`);
  });
  const controller = new ChatController(app, hooks, order);
  onWarning((text) => {
    controller.warn(text);
  });

  const offChange = app.onChange(hooks.redraw);
  const libp2p = app.node.libp2p;
  libp2p.addEventListener('peer:connect', hooks.redraw);
  libp2p.addEventListener('peer:disconnect', hooks.redraw);
  const ticker = setInterval(hooks.redraw, STATUS_MS);
  const onSignal = (): void => {
    stop();
  };
  const onCrash = (error: unknown): void => {
    stop(error);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  output.on('error', onCrash);
  // A library writing to the console would scribble over the screen: its words go to the notice line.
  const consoleMethods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = consoleMethods.map((m) => [m, console[m].bind(console)] as const);
  for (const m of consoleMethods) {
    console[m] = (...args: unknown[]) => {
      controller.warn(format(...args));
    };
  }

  try {
    screen.start(
      (data) => {
        controller.input(data);
      },
      () => {
        screen.invalidate();
        hooks.redraw();
      },
    );
    draw();
    const failure = await done;
    if (failure !== undefined) {
      throw failure instanceof Error ? failure : new Error(messageOf(failure));
    }
  } finally {
    clearInterval(ticker);
    if (frame !== undefined) clearTimeout(frame);
    offChange();
    libp2p.removeEventListener('peer:connect', hooks.redraw);
    libp2p.removeEventListener('peer:disconnect', hooks.redraw);
    for (const s of signals) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    output.off('error', onCrash);
    for (const [m, f] of saved) console[m] = f;
    controller.close();
    screen.stop();
    await order.flushed();
    await notifySettings.flushed();
  }
}
