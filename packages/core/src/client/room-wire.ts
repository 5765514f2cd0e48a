import type { DeviceId } from '../ids.ts';
import type { PublishOptions, TransportPort } from '../ports/transport.ts';
import { encodeDirectFrame, type DirectFrame } from '../sync/frames.ts';

/**
 * How a room's messages leave the device: on its topic, or to one device. A failed send is
 * not an error here: what must arrive is kept (outbox, pending Welcomes) and sent again, and
 * sync fills every other gap.
 */
export class RoomWire {
  readonly topic: string;
  readonly #transport: TransportPort;

  constructor(transport: TransportPort, topic: string) {
    this.#transport = transport;
    this.topic = topic;
  }

  /** Publishes on the room's topic; returns whether the transport took the message. */
  async publish(message: Uint8Array, options?: PublishOptions): Promise<boolean> {
    try {
      await this.#transport.publish(this.topic, message, options);
      return true;
    } catch {
      return false;
    }
  }

  async sendTo(device: DeviceId, frame: Uint8Array): Promise<void> {
    await this.#transport.sendTo(device, frame).catch(() => undefined);
  }

  sendFrame(device: DeviceId, frame: DirectFrame): Promise<void> {
    return this.sendTo(device, encodeDirectFrame(frame));
  }
}
