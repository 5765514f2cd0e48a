/**
 * What every Kith runtime (@kith/node, @kith/browser) shares around @kith/core.
 * No node:* and no DOM-only APIs: a runtime brings its database, transports and crypto.
 *
 * @module \@kith/runtime
 */

export { KithDevice, type DevicePlatform, type KithDeviceOptions } from './kith-device.ts';
export type { Contact } from './contacts/contact.ts';
export { AppData } from './app-data.ts';
export {
  DeviceLinker,
  type LinkerEvent,
  type LinkProgress,
  type LinkRequest,
  type ShownLink,
} from './devices/device-linker.ts';
export {
  linkNewDevice,
  type LinkedNewDevice,
  type LinkNewDeviceOptions,
} from './devices/link-new-device.ts';
export { requestDeviceLink, type LinkGrant } from './devices/link-request.ts';
export {
  decodeLinkFrame,
  encodeLinkFrame,
  type LinkFrame,
  type LinkRefusal,
} from './devices/link-wire.ts';
export { UserDevices, type OwnDevice } from './devices/user-devices.ts';
export { backupDevice, restoreDevice, type RestoreReport } from './backup.ts';
export { describeError, DeviceError, type DeviceErrorCode } from './errors.ts';
export {
  deviceServices,
  type DeviceLibp2p,
  type DeviceLibp2pFactory,
  type DeviceNetworkOptions,
  type DeviceServices,
} from './net/device-libp2p.ts';
export {
  Libp2pTransport,
  type Libp2pTransportOptions,
  type TransportServices,
} from './net/libp2p-transport.ts';
export { PeerGuard, type Misbehaviour, type PeerGuardOptions } from './net/peer-guard.ts';
export { deviceIdOfPeer, libp2pKeyOf, peerIdOfDeviceKey } from './net/peer-identity.ts';
export { MAX_DIRECT_FRAME_BYTES, Protocols } from './net/protocols.ts';
export { RequestBudget } from './net/rate-limit.ts';
export { moveOffRelays } from './net/relayed-connections.ts';
export { sendRequest, serveRequests, type ExchangeLimits } from './net/request-response.ts';
export { MAILBOX_EXCHANGE } from './relay/mailbox-exchange.ts';
export { RELAY_RETRY, type RelayStatus } from './relay/relay-keeper.ts';
export { isDirectFrame, looksLikeMlsMessage } from './net/wire-checks.ts';

// media
export {
  BlobDownload,
  type DownloadOptions,
  type DownloadProgress,
  type RefusedPeer,
} from './media/blob-download.ts';
export {
  BlobTransfers,
  type BlobTransfersParts,
  type OpenedFile,
  type ReceiveOptions,
  type SendFileOptions,
} from './media/blob-transfers.ts';
export { fetchRecords, serveBlobs, type BlobSource } from './media/blob-wire.ts';
export { BlobUpload, type RelayUploadOutcome, type UploadProgress } from './media/blob-upload.ts';
export { RelayBlobs, type UploadedBlob } from './relay/relay-blobs.ts';
export {
  decodeRelayBlobRequest,
  decodeRelayBlobResponse,
  encodeRelayBlobRequest,
  encodeRelayBlobResponse,
  signBlobClose,
  signBlobDelete,
  signBlobPut,
  verifyBlobRequest,
  type RelayBlobLimits,
  type RelayBlobRefusal,
  type RelayBlobRequest,
  type RelayBlobResponse,
} from './media/relay-blob-wire.ts';
export { KvBlobStore } from './media/kv-blob-store.ts';
export { BlobJanitor, type BlobRetention } from './media/blob-retention.ts';
export { DeviceAvatars } from './media/avatars.ts';
export {
  DeviceMedia,
  type MediaSendLimits,
  type MediaSendOptions,
  type OutgoingFile,
  type SentMedia,
} from './media/device-media.ts';
export {
  PortableImageCodec,
  shrinkImage,
  type ImageCodec,
  type RgbaImage,
} from './media/image-codec.ts';
export {
  imagePreview,
  receivedPreview,
  voicePreview,
  type ReceivedPreview,
} from './media/previews.ts';
