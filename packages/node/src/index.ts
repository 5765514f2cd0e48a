/**
 * Kith on Node.js. Everything public is exported here by name.
 * The device itself and its network code are shared with the browser through @kith/runtime,
 * re-exported here so a Node app needs only this package.
 *
 * @module \@kith/node
 */

export { KithNode, type KithNodeOptions } from './kith-node-open.ts';
export {
  AppData,
  backupDevice,
  deviceIdOfPeer,
  describeError,
  isDirectFrame,
  KithDevice,
  libp2pKeyOf,
  Libp2pTransport,
  looksLikeMlsMessage,
  MAILBOX_EXCHANGE,
  MAX_DIRECT_FRAME_BYTES,
  DeviceError,
  PeerGuard,
  peerIdOfDeviceKey,
  Protocols,
  RELAY_RETRY,
  RequestBudget,
  restoreDevice,
  sendRequest,
  serveRequests,
  type Contact,
  type DeviceLibp2p,
  type DeviceServices,
  type ExchangeLimits,
  type Libp2pTransportOptions,
  type Misbehaviour,
  type DeviceErrorCode,
  type PeerGuardOptions,
  type RelayStatus,
  type RestoreReport,
  type TransportServices,
} from '@kith/runtime';
// media
export {
  BlobDownload,
  BlobTransfers,
  fetchRecords,
  KvBlobStore,
  serveBlobs,
  type DownloadOptions,
  type DownloadProgress,
  type OpenedFile,
  type ReceiveOptions,
  type RefusedPeer,
  type SendFileOptions,
} from '@kith/runtime';
// devices of one user: linking, listing, revoking
export {
  DeviceLinker,
  linkNewDevice,
  requestDeviceLink,
  UserDevices,
  type LinkedNewDevice,
  type LinkerEvent,
  type LinkGrant,
  type LinkNewDeviceOptions,
  type LinkProgress,
  type LinkRefusal,
  type LinkRequest,
  type OwnDevice,
  type ShownLink,
} from '@kith/runtime';
export { installNodeCrypto, nodeEd25519 } from './crypto/node-ed25519.ts';
export {
  isDatabaseLocked,
  openDeviceDatabase,
  type DeviceDatabase,
} from './storage/data-directory.ts';
export {
  createDeviceLibp2p,
  DEFAULT_LISTEN,
  type NodeNetworkOptions,
  type NodeNetworkOptions as DeviceNetworkOptions,
} from './net/create-libp2p.ts';
