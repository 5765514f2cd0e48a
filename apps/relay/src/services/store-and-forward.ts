import {
  decodeInboxRequest,
  decodeKeyPackageRequest,
  encodeInboxResponse,
  encodeKeyPackageResponse,
  KvStore,
  type InboxResponse,
  type KeyPackageResponse,
} from '@kith/core';
import {
  deviceIdOfPeer,
  MAILBOX_EXCHANGE,
  Protocols,
  RequestBudget,
  serveRequests,
  type ExchangeLimits,
} from '@kith/node';
import type { RelayConfig } from '../config/settings.ts';
import { InboxStore } from '../directory/inbox-store.ts';
import { KeyPackageDirectory } from '../directory/key-package-directory.ts';
import { MailboxService } from '../mailbox/mailbox-service.ts';
import type { MailboxOutcome } from '../mailbox/mailbox-checks.ts';
import { MailboxStore } from '../mailbox/mailbox-store.ts';
import { describeError } from '../errors.ts';
import type { Relay, RelayService } from '../service.ts';

const DIRECTORY_EXCHANGE: ExchangeLimits = {
  maxRequestBytes: 2 * 1024 * 1024,
  maxResponseBytes: 2 * 1024 * 1024,
  timeoutMs: 15_000,
};

/** How often expired messages are deleted. */
const SWEEP_MS = 15 * 60_000;

/**
 * Store and forward (docs/PROTOCOL.md §12): room mailboxes, the key-package directory and
 * device inboxes, served over their libp2p protocols and kept in the relay's database. It sees
 * ciphertext, public keys and sizes, never content.
 */
export class StoreAndForward implements RelayService {
  readonly name = 'saf';
  readonly #config: RelayConfig;
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #relay: Relay | undefined;

  constructor(config: RelayConfig) {
    this.#config = config;
  }

  async start(relay: Relay): Promise<void> {
    this.#relay = relay;
    const kv = await KvStore.open(relay.db.sublevel(this.name, KvStore.databaseOptions));
    const log = relay.log.child({ service: this.name });
    const { mailbox, rateLimit } = this.#config;
    const store = new MailboxStore(kv, relay.libp2p.peerId.toString(), {
      retentionMs: mailbox.retentionMs,
      maxBytesPerTopic: mailbox.topicQuotaBytes,
      maxBytesPerWriter: mailbox.peerQuotaBytes,
    });
    const dropped = await store.upgrade();
    if (dropped > 0) log.info('mailbox keys of data format 1 deleted', { keys: dropped });
    let stored = await store.storedBytes();
    relay.stats.storedBytes.set(stored);
    const bytesBudget = new RequestBudget(rateLimit.peerBytesPerMinute, Number.MAX_SAFE_INTEGER);
    const report = (outcome: MailboxOutcome): void => {
      if (outcome.kind === 'stored') {
        stored += outcome.bytes;
        relay.stats.storedBytes.set(stored);
        relay.stats.messagesIn.inc(outcome.messages);
      } else if (outcome.kind === 'served') {
        relay.stats.messagesOut.inc(outcome.messages);
      } else if (outcome.kind === 'refused') {
        relay.stats.rejections.labels({ reason: outcome.reason.toLowerCase() }).inc();
      }
    };
    const mailboxes = new MailboxService(store, {
      limits: {
        requestsPerMinutePerPeer: rateLimit.peerRequestsPerMinute,
        requestsPerMinute: rateLimit.requestsPerMinute,
      },
      report,
    });
    const requests = new RequestBudget(
      rateLimit.peerRequestsPerMinute,
      rateLimit.requestsPerMinute,
    );
    const directory = new KeyPackageDirectory(kv);
    const inboxes = new InboxStore(kv);

    await serveRequests(relay.libp2p, Protocols.mailbox, MAILBOX_EXCHANGE, async (bytes, from) => {
      // Bytes per peer per minute, counted before anything is decoded or stored.
      if (!bytesBudget.take(from.toString(), bytes.length)) {
        report({ kind: 'refused', reason: 'RATE_LIMITED' });
        return mailboxes.refuse('RATE_LIMITED', 'too much data: slow down');
      }
      if (stored + bytes.length > mailbox.totalQuotaBytes) {
        report({ kind: 'refused', reason: 'QUOTA_EXCEEDED' });
        return mailboxes.refuse('QUOTA_EXCEEDED', 'this relay is full: try another relay');
      }
      return mailboxes.handle(bytes, from);
    });
    await serveRequests(
      relay.libp2p,
      Protocols.keyPackageDirectory,
      DIRECTORY_EXCHANGE,
      async (bytes, from) => {
        const device = deviceIdOfPeer(from);
        let response: KeyPackageResponse;
        if (device === undefined) response = { type: 'refused', message: 'not a Kith device' };
        else if (!requests.take(from.toString())) {
          response = { type: 'refused', message: 'too many requests: slow down' };
        } else {
          try {
            response = await directory.handle(decodeKeyPackageRequest(bytes), device);
          } catch (error) {
            response = { type: 'refused', message: describeError(error) };
          }
        }
        if (response.type === 'refused') {
          relay.stats.rejections.labels({ reason: 'key_packages' }).inc();
        }
        return encodeKeyPackageResponse(response);
      },
    );
    await serveRequests(relay.libp2p, Protocols.inbox, DIRECTORY_EXCHANGE, async (bytes, from) => {
      let response: InboxResponse;
      if (from.type !== 'Ed25519') response = { type: 'refused', message: 'not a Kith device' };
      else if (!requests.take(from.toString())) {
        response = { type: 'refused', message: 'too many requests: slow down' };
      } else {
        try {
          response = await inboxes.handle(decodeInboxRequest(bytes), from.publicKey.raw);
        } catch (error) {
          response = { type: 'refused', message: describeError(error) };
        }
      }
      if (response.type === 'refused') relay.stats.rejections.labels({ reason: 'inbox' }).inc();
      if (response.type === 'items') relay.stats.messagesOut.inc(response.items.length);
      return encodeInboxResponse(response);
    });

    const sweep = (): void => {
      mailboxes
        .sweep()
        .then((freed) => {
          if (freed === 0) return;
          stored = Math.max(0, stored - freed);
          relay.stats.storedBytes.set(stored);
          log.info('expired messages deleted', { bytes: freed });
        })
        .catch((error: unknown) => {
          log.warn('sweep failed', { error: describeError(error) });
        });
    };
    sweep();
    this.#sweeper = setInterval(sweep, SWEEP_MS);
    this.#sweeper.unref();
    log.info('store and forward ready', {
      retentionMs: mailbox.retentionMs,
      topicQuotaBytes: mailbox.topicQuotaBytes,
    });
  }

  async stop(): Promise<void> {
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    const libp2p = this.#relay?.libp2p;
    if (libp2p === undefined) return;
    await libp2p.unhandle([Protocols.mailbox, Protocols.keyPackageDirectory, Protocols.inbox]);
  }
}
