import { messageText } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';
import { COMMANDS, parseLine, type Command } from './commands.ts';
import { complete } from './complete.ts';
import { EMPTY_COMPOSER, edit, MAX_INPUT, type Composer } from './editor.ts';
import { execute, type Outcome } from './execute.ts';
import { InputHistory } from './history.ts';
import { RelayStatusReader } from './relay-status.ts';
import type { Notifier } from './notifier.ts';
import { RoomOrder } from './room-order.ts';
import { KeyReader, type Key } from './keys.ts';
import { layout, panelScrollLimit } from './render.ts';
import type { ChatState, Notice, Panel, RoomItem, StatusInfo } from './state.ts';
import type { SystemLog } from '../app/system-log.ts';
import { refusedInviteText } from './safety-commands.ts';
import { typingText } from './signal-commands.ts';
import { buildTimeline, roomItem } from './timeline.ts';
import { scrollLimit } from './timeline-rows.ts';

/** What the controller asks of the terminal around it. */
export interface ChatHooks {
  /** Draw again soon (many calls in a burst make one frame). */
  readonly redraw: () => void;
  readonly quit: () => void;
  readonly showOnMainScreen: (text: string) => void;
  readonly returnToChat: () => void;
  readonly size: () => { readonly columns: number; readonly rows: number };
  /** Gets the user's attention for a mention or a DM, as the settings and the machine allow. */
  readonly notifier?: Notifier;
}

/** Commands that finish at once: no "working" notice for them. */
const QUICK = new Set<Command['kind']>([
  'send',
  'reply',
  'edit',
  'delete',
  'react',
  'unreact',
  'help',
  'quit',
  'link',
  'contacts',
  'members',
  'room',
  'thread',
  'threads',
  'history',
  'signal',
  'notify',
  'mute',
]);

/**
 * The chat's behaviour: keys in, commands run against the app, and the `ChatState` a frame is
 * drawn from. Holds what is the screen's own (room on screen, composer, notice, scroll); the
 * rest is read from the app on every frame.
 */
export class ChatController {
  readonly #app: KithApp;
  readonly #hooks: ChatHooks;
  readonly #log: SystemLog;
  readonly #order: RoomOrder;
  readonly #relays: RelayStatusReader;
  readonly #offRefused: () => void;
  readonly #offMention: () => void;
  readonly #offDm: () => void;
  #roomId: string | undefined;
  /** The thread followed (/thread), in the room it belongs to. */
  #thread: { roomId: string; id: string; label: string } | undefined;
  #rooms: RoomItem[] = [];
  #ids: string[] = [];
  #composer: Composer = EMPTY_COMPOSER;
  #notice: Notice | undefined;
  #panel: Panel | undefined;
  #scroll = 0;
  #onMainScreen = false;
  readonly #history = new InputHistory();
  /** A paste beyond what the composer holds is cut here already, as it arrives. */
  readonly #keys = new KeyReader(MAX_INPUT + 1);
  #last: ChatState | undefined;

  constructor(app: KithApp, hooks: ChatHooks, order = RoomOrder.inMemory()) {
    this.#app = app;
    this.#order = order;
    this.#relays = new RelayStatusReader(() => app.node.relayStatus(), Date.now);
    // The room open when the chat last ran, if this device is still in it.
    const last = order.lastOpen;
    if (app.rooms().some((r) => r.roomId === last && r.active)) this.#roomId = last;
    this.#hooks = hooks;
    this.#log = app.log;
    // A refused invitation has no room to show it in: it is said in the notice line.
    this.#offRefused = app.node.client.on('inviteRefused', (e) => {
      const from = e.from === undefined ? undefined : app.nameOf(e.from);
      this.#notice = { kind: 'info', text: refusedInviteText(from, e.reason) };
      this.#hooks.redraw();
    });
    // A mention notifies (the settings allowing), and a notice names who and where.
    this.#offMention = app.node.client.on('mention', (e) => {
      const room = this.#rooms.find((r) => r.roomId === e.roomId);
      const where = room === undefined ? '' : ` in ${room.label}`;
      const text = `${app.nameOf(e.by)} mentioned you${where}`;
      // In a DM every message notifies already.
      if (!isDm(app, e.roomId)) this.#hooks.notifier?.alert(e.roomId, text);
      if (e.roomId === this.#roomId && !this.#onMainScreen) return;
      this.#notice = { kind: 'info', text };
      this.#hooks.redraw();
    });
    // A message in a DM notifies: one alert for what arrived together.
    this.#offDm = app.node.client.on('timeline', (e) => {
      const me = app.node.userId;
      const first = e.changes.find(
        (c) => c.type === 'added' && c.message.sender !== me && !c.message.retracted,
      );
      if (first === undefined || first.type === 'removed' || !isDm(app, e.roomId)) return;
      const text = messageText(first.message.content);
      this.#hooks.notifier?.alert(e.roomId, `${app.nameOf(first.message.sender)}: ${text}`);
    });
  }

  /** What to draw now. Reading a room marks it read. */
  state(): ChatState {
    const app = this.#app;
    const me = app.node.userId;
    const rooms = this.#order.arrange(app.rooms().map((v) => roomItem(v, me)));
    let current = rooms.findIndex((r) => r.roomId === this.#roomId);
    if (current === -1 && rooms.length > 0) {
      // A room this device is still in, rather than one it left.
      current = Math.max(
        0,
        rooms.findIndex((r) => r.active),
      );
      this.#scroll = 0;
    }
    const room = rooms[current];
    this.#roomId = room?.roomId;
    if (room !== undefined) this.#order.opened(room.roomId);
    this.#rooms = rooms;
    const thread = this.#thread?.roomId === room?.roomId ? this.#thread : undefined;
    const all = room === undefined ? [] : app.messages(room.roomId);
    const messages =
      room === undefined || thread === undefined
        ? all
        : app.messages(room.roomId, undefined, thread.id);
    // Numbers are positions in the whole room, so a thread shows (and /reply takes) the same.
    this.#ids = all.map((m) => m.messageId);
    const numbers = new Map(this.#ids.map((id, i) => [id, i + 1]));
    if (room !== undefined && room.unread > 0 && !this.#onMainScreen) {
      rooms[current] = { ...room, unread: 0 };
      app.markRead(room.roomId).then(
        () => {
          this.#hooks.redraw();
        },
        (error: unknown) => {
          this.warn(messageOf(error));
        },
      );
    }
    if (room !== undefined) this.#log.track(room.roomId);
    const sync = room === undefined ? undefined : app.syncStatus(room.roomId);
    this.#last = {
      me: app.displayName,
      rooms,
      current,
      timeline:
        room === undefined
          ? []
          : buildTimeline(messages, this.#log.lines(room.roomId), me, {
              nameOf: (u) => app.nameOf(u),
              threadReplies: new Map(app.threads(room.roomId).map((t) => [t.threadId, t.replies])),
              numbers,
            }),
      status: {
        peers: app.node.connectedDevices().length,
        ...this.#relayStatus(),
        sync,
        ...typingStatus(app, room),
      },
      notice: this.#notice,
      composer: this.#composer,
      panel: this.#panel,
      scroll: this.#scroll,
      ...(thread === undefined ? {} : { thread: { label: thread.label } }),
    };
    return this.#last;
  }

  /** The relays; a network warning on the notice line goes once a relay comes back. */
  #relayStatus(): Pick<StatusInfo, 'relays' | 'relaysUp' | 'relayRetryInMs'> {
    const { status, reconnected } = this.#relays.read();
    if (reconnected && this.#notice?.kind === 'warning') this.#notice = undefined;
    return status;
  }

  /** Handles what the terminal sent. */
  input(data: string): void {
    for (const key of this.#keys.read(data)) this.#key(key);
    this.#hooks.redraw();
  }

  /** A problem in the background (the network, a library writing to the console). */
  warn(text: string): void {
    if (this.#notice !== undefined && this.#notice.kind !== 'warning') return;
    this.#notice = { kind: 'warning', text };
    this.#hooks.redraw();
  }

  close(): void {
    this.#offRefused();
    this.#offMention();
    this.#offDm();
  }

  #key(key: Key): void {
    if (this.#onMainScreen) {
      this.#onMainScreen = false;
      this.#hooks.returnToChat();
      if (key.name === 'ctrl-c' || key.name === 'ctrl-d') this.#hooks.quit();
      return;
    }
    switch (key.name) {
      case 'ctrl-c':
      case 'ctrl-d':
        this.#hooks.quit();
        return;
      case 'enter':
        this.#submit();
        return;
      case 'tab':
        // With something typed, Tab completes it; on an empty line it goes to the next room.
        if (this.#composer.text.trim() === '') this.#step(1);
        else this.#complete();
        return;
      case 'ctrl-n':
      case 'alt-down':
        this.#step(1);
        return;
      case 'shift-tab':
      case 'ctrl-p':
      case 'alt-up':
        this.#step(-1);
        return;
      case 'escape':
        if (this.#panel !== undefined) this.#setPanel(undefined);
        else this.#notice = undefined;
        return;
      case 'page-up':
        this.#scrollBy(this.#page());
        return;
      case 'page-down':
        this.#scrollBy(-this.#page());
        return;
      case 'up':
        this.#composer = this.#history.step(this.#composer, -1);
        return;
      case 'down':
        this.#composer = this.#history.step(this.#composer, 1);
        return;
      case 'ctrl-l':
        return;
      default: {
        const next = edit(this.#composer, key);
        if ((key.name === 'text' || key.name === 'paste') && next?.text.length === MAX_INPUT) {
          const room = MAX_INPUT - this.#composer.text.length;
          if (key.text.length > room) {
            this.#notice = {
              kind: 'error',
              text: `the input holds at most ${MAX_INPUT} characters: the rest was left out`,
            };
          }
        }
        if (next !== undefined) {
          this.#typed(this.#composer.text, next.text);
          this.#composer = next;
        }
      }
    }
  }

  /**
   * Tells the room the user is typing a message (not a command), or stopped by clearing it. Every
   * keystroke calls this; the engine sends at most one signal per few seconds.
   */
  #typed(before: string, after: string): void {
    const roomId = this.#roomId;
    const writing = (t: string): boolean => t !== '' && !t.startsWith('/');
    if (roomId === undefined || before === after) return;
    if (!writing(after) && !writing(before)) return;
    this.#app.signals.setTyping(roomId, writing(after)).catch((error: unknown) => {
      this.warn(messageOf(error));
    });
  }

  #submit(): void {
    const line = this.#composer.text;
    const parsed = parseLine(line);
    if (parsed.ok === 'empty') {
      // Spaces alone send nothing and do not linger to turn the next command into text.
      this.#composer = EMPTY_COMPOSER;
      return;
    }
    this.#history.add(line);
    this.#composer = EMPTY_COMPOSER;
    this.#setPanel(undefined);
    this.#notice = undefined;
    if (!parsed.ok) {
      this.#notice = { kind: 'error', text: parsed.error };
      return;
    }
    const command = parsed.command;
    const pending: Notice | undefined = QUICK.has(command.kind)
      ? undefined
      : { kind: 'info', text: `${line.split(' ')[0] ?? ''}: working…` };
    this.#notice = pending;
    const room = this.#rooms.find((r) => r.roomId === this.#roomId);
    const ids = this.#ids;
    const thread = this.#thread?.roomId === room?.roomId ? this.#thread?.id : undefined;
    const context = {
      app: this.#app,
      room,
      messageId: (n: number) => ids[n - 1],
      ...(this.#hooks.notifier === undefined ? {} : { notifier: this.#hooks.notifier }),
      ...(thread === undefined ? {} : { thread }),
    };
    execute(context, command)
      .then(
        (outcome) => {
          if (this.#notice === pending) this.#notice = undefined;
          this.#apply(outcome);
        },
        (error: unknown) => {
          this.#notice = { kind: 'error', text: messageOf(error) };
        },
      )
      .finally(() => {
        this.#hooks.redraw();
      });
    if (command.kind === 'send' || command.kind === 'reply') this.#scroll = 0;
  }

  #apply(outcome: Outcome): void {
    if (outcome.thread !== undefined) {
      const roomId = this.#roomId;
      this.#thread =
        outcome.thread === null || roomId === undefined ? undefined : { roomId, ...outcome.thread };
      this.#scroll = 0;
    }
    if (outcome.notice !== undefined) this.#notice = outcome.notice;
    if (outcome.panel !== undefined) this.#setPanel(outcome.panel);
    if (outcome.open !== undefined) this.#open(outcome.open);
    if (outcome.openIndex !== undefined) {
      const room = this.#rooms[outcome.openIndex - 1];
      if (room === undefined) {
        this.#notice = {
          kind: 'error',
          text: `no room ${outcome.openIndex}: the list has ${this.#rooms.length}`,
        };
      } else {
        this.#open(room.roomId);
      }
    }
    if (outcome.mainScreen !== undefined) {
      this.#onMainScreen = true;
      this.#hooks.showOnMainScreen(outcome.mainScreen);
    }
    if (outcome.quit) this.#hooks.quit();
  }

  #complete(): void {
    const roomId = this.#roomId;
    const app = this.#app;
    const { composer, choices } = complete(this.#composer, {
      commands: Object.keys(COMMANDS),
      rooms: this.#rooms.map((r) => r.label),
      members: roomId === undefined ? [] : app.members(roomId).map((m) => m.displayName),
      contacts: app.node.contacts().map((c) => c.displayName),
    });
    this.#composer = composer;
    if (choices.length > 0) this.#notice = { kind: 'info', text: choices.join('  ') };
  }

  #open(roomId: string): void {
    if (roomId !== this.#roomId) this.#scroll = 0;
    this.#roomId = roomId;
  }

  /** The panel and the timeline share the scroll offset: each starts at its usual end. */
  #setPanel(panel: Panel | undefined): void {
    if (panel === undefined && this.#panel === undefined) return;
    this.#panel = panel;
    this.#scroll = 0;
  }

  #step(by: number): void {
    const count = this.#rooms.length;
    if (count === 0) return;
    const at = this.#rooms.findIndex((r) => r.roomId === this.#roomId);
    const next = this.#rooms[(((at + by) % count) + count) % count];
    this.#setPanel(undefined);
    if (next !== undefined) this.#open(next.roomId);
  }

  #page(): number {
    const { rows } = this.#hooks.size();
    return Math.max(1, rows - 6);
  }

  /** Scrolls the timeline up (positive) or down; a panel scrolls down (positive) or up. */
  #scrollBy(rows: number): void {
    const last = this.#last;
    if (last === undefined) return;
    const { columns, rows: height } = this.#hooks.size();
    if (this.#panel !== undefined) {
      const limit = panelScrollLimit(this.#panel, columns, height);
      this.#scroll = Math.max(0, Math.min(limit, this.#scroll - rows));
      return;
    }
    const area = layout(columns, height);
    const limit = scrollLimit(last, area.contentWidth, area.bodyHeight);
    this.#scroll = Math.max(0, Math.min(limit, this.#scroll + rows));
  }
}

/** A person-readable message for any error (KithErrors carry one written for people). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether this device holds `roomId` as a DM (false for a room it does not know). */
function isDm(app: KithApp, roomId: string): boolean {
  return app.rooms().some((r) => r.roomId === roomId && r.dm);
}

/** The status line's "ana is typing…" for the room on screen. */
function typingStatus(app: KithApp, room: RoomItem | undefined): { typing?: string } {
  if (room?.active !== true) return {};
  const text = typingText(app.signals.typing(room.roomId).map((p) => p.displayName));
  return text === undefined ? {} : { typing: text };
}
