import type { PeerId } from '@libp2p/interface';
import type { DeviceIdentity, KithClient } from '@kith/core';
import { stickyListen, type AddressBook } from './net/address-book.ts';
import type {
  DeviceLibp2p,
  DeviceLibp2pFactory,
  DeviceNetworkOptions,
} from './net/device-libp2p.ts';
import { KEY_PACKAGE_EXCHANGE } from './net/key-package-exchange.ts';
import { Libp2pTransport } from './net/libp2p-transport.ts';
import { MemberLocator } from './net/member-locator.ts';
import type { PeerGuard } from './net/peer-guard.ts';
import { deviceIdOfPeer, libp2pKeyOf } from './net/peer-identity.ts';
import { Protocols } from './net/protocols.ts';
import { RequestBudget } from './net/rate-limit.ts';
import { moveOffRelays } from './net/relayed-connections.ts';
import { serveRequests } from './net/request-response.ts';
import { isDirectFrame, looksLikeMlsMessage } from './net/wire-checks.ts';
import type { RelayLink } from './relay/relay-link.ts';

/**
 * What `KithNode.open` builds around the network once it can: the engine builds the network
 * (it needs the device key first), but the network's handlers answer with parts made after it.
 * Until a part is here, a handler does without it.
 */
export interface NetworkParts {
  net?: { libp2p: DeviceLibp2p; transport: Libp2pTransport };
  relayLink?: RelayLink;
  node?: { readonly client: KithClient; readonly locator: MemberLocator };
}

/**
 * The transport factory for `KithClient.open`: libp2p keyed by the device key, listening where
 * it listened last time when it can, with the key-package and member-locate protocols served.
 * It records what it built in `parts.net`.
 */
export function deviceTransport<O extends DeviceNetworkOptions>(
  options: O,
  createDeviceLibp2p: DeviceLibp2pFactory<O>,
  guard: PeerGuard,
  book: AddressBook,
  parts: NetworkParts,
): (device: DeviceIdentity) => Promise<Libp2pTransport> {
  const budget = new RequestBudget(6, 120);
  const listen = options.listen ?? [];
  return async (device) => {
    const key = await libp2pKeyOf(device);
    const sticky = stickyListen(listen, await book.ownAddresses());
    // Last time's ports may be taken now (libp2p then starts without them): any will do.
    let libp2p = await createDeviceLibp2p(key, guard, { ...options, listen: sticky });
    if (listen.length > 0 && !listensDirectly(libp2p)) {
      await libp2p.stop();
      libp2p = await createDeviceLibp2p(key, guard, { ...options, listen });
    }
    moveOffRelays(libp2p);
    await book.saveOwnAddresses(libp2p.getMultiaddrs());
    await book.load(libp2p);
    const transport = await Libp2pTransport.start({
      libp2p,
      guard,
      acceptTopicMessage: looksLikeMlsMessage,
      acceptDirectFrame: isDirectFrame,
      onPublish: (topic, data, onStored) => {
        parts.relayLink?.mirror(topic, data, onStored);
      },
      onUnreachable: (_, peer, data) => {
        parts.relayLink?.undeliverable(peer, data);
      },
    });
    parts.net = { libp2p, transport };
    // The user's own devices are not strangers: a newly linked one is asked once per room.
    const ownDevice = (from: PeerId): boolean => {
      const id = deviceIdOfPeer(from);
      return parts.node?.client.deviceList()?.devices.some((d) => d.deviceId === id) ?? false;
    };
    await serveRequests(libp2p, Protocols.keyPackage, KEY_PACKAGE_EXCHANGE, (_, from) =>
      ownDevice(from) || budget.take(from.toString())
        ? (parts.node?.client.createKeyPackage() ?? Promise.resolve(undefined))
        : Promise.resolve(undefined),
    );
    await serveRequests(libp2p, Protocols.locate, MemberLocator.limits, (request, from) => {
      const node = parts.node;
      return node === undefined ? Promise.resolve(undefined) : node.locator.answer(request, from);
    });
    return transport;
  };
}

/** Whether libp2p listens on an address of its own (not only through relays). */
function listensDirectly(libp2p: DeviceLibp2p): boolean {
  return libp2p.getMultiaddrs().some((a) => !a.toString().includes('/p2p-circuit'));
}
