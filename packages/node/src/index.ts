// @kith/node: Kith on Node.js. Everything public is exported here by name.

export { KithNode, type Contact, type KithNodeOptions } from './kith-node.ts';
export { AppData } from './app-data.ts';
export { NodeError, type NodeErrorCode } from './errors.ts';
export { installNodeCrypto, nodeEd25519 } from './crypto/node-ed25519.ts';
export {
  isDatabaseLocked,
  openDeviceDatabase,
  type DeviceDatabase,
} from './storage/data-directory.ts';
export {
  createDeviceLibp2p,
  DEFAULT_LISTEN,
  type DeviceLibp2p,
  type DeviceNetworkOptions,
  type DeviceServices,
} from './net/create-libp2p.ts';
export {
  Libp2pTransport,
  type Libp2pTransportOptions,
  type TransportServices,
} from './net/libp2p-transport.ts';
export { PeerGuard, type Misbehaviour, type PeerGuardOptions } from './net/peer-guard.ts';
export { deviceIdOfPeer, libp2pKeyOf, peerIdOfDeviceKey } from './net/peer-identity.ts';
export { MAX_DIRECT_FRAME_BYTES, Protocols } from './net/protocols.ts';
export { RequestBudget } from './net/rate-limit.ts';
export { sendRequest, serveRequests, type ExchangeLimits } from './net/request-response.ts';
export { MAILBOX_EXCHANGE } from './relay/relay-mailboxes.ts';
export { RELAY_RETRY, type RelayStatus } from './relay/relay-keeper.ts';
export { isDirectFrame, looksLikeMlsMessage } from './net/wire-checks.ts';
