import type { ServerResponse } from 'node:http';
import { toHex, type KithEvent, type KithEventType } from '@kith/core';
import type { KithApp } from '../app/kith-app.ts';

/** The engine's events a script can follow, sent under the same names. */
const FORWARDED: readonly KithEventType[] = [
  'timeline',
  'membership',
  'room',
  'joined',
  'left',
  'receipts',
  'messageStatus',
  'typing',
  'presence',
  'mention',
];

/**
 * `GET /events`: Server-Sent Events of what happens on the device as it happens, as
 * signal-cli's JSON-RPC mode notifies. A new or changed message is a `message` event carrying
 * the message as `messages` lists it (with `change`: added, edited, retracted, reactions or
 * removed); the others carry the engine's event with IDs as text.
 */
export class EventStream {
  readonly #app: KithApp;

  constructor(app: KithApp) {
    this.#app = app;
  }

  /** Streams events to `response` until the client goes away. */
  serve(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Says the stream is open: a client may act once it has read this.
    response.write(': kith events\n\n');
    const send = (name: string, data: unknown): void => {
      response.write(`event: ${name}\ndata: ${JSON.stringify(data, textIds)}\n\n`);
    };
    const offs = FORWARDED.map((type) =>
      this.#app.node.client.on(type, (event) => {
        this.#forward(event, send);
      }),
    );
    response.on('close', () => {
      for (const off of offs) off();
    });
  }

  #forward(event: KithEvent, send: (name: string, data: unknown) => void): void {
    if (event.type !== 'timeline') {
      // The room's whole state is left out: `rooms` and `members` read it when needed.
      const data: Record<string, unknown> = { ...event };
      delete data['room'];
      send(event.type, data);
      return;
    }
    const roomId = event.roomId;
    let listed: ReturnType<KithApp['messages']> | undefined;
    for (const change of event.changes) {
      if (change.type === 'removed') {
        send('message', { change: 'removed', roomId, messageId: toHex(change.messageId) });
        continue;
      }
      listed ??= this.#app.messages(roomId);
      const id = toHex(change.message.messageId);
      const message = listed.find((m) => m.messageId === id);
      // A message from a blocked user is left out of `messages`, and so of the stream.
      if (message !== undefined) send('message', { change: change.type, roomId, ...message });
    }
  }
}

/** JSON for IDs and numbers the engine keeps as bytes and bigints. */
function textIds(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
