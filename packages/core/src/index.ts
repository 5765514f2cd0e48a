/**
 * The runtime-agnostic core of Kith. Everything public is exported here by name.
 *
 * @module \@kith/core
 */

export { KithError } from './errors.ts';

// CBOR (RFC 8949, deterministic encoding)
export { decodeCbor } from './cbor/decode.ts';
export { encodeCbor } from './cbor/encode.ts';
export { CborError, type CborErrorCode } from './cbor/errors.ts';
export {
  CborFloat,
  CborSimple,
  CborTag,
  type CborKey,
  type CborMap,
  type CborValue,
} from './cbor/value.ts';

// MIMI content (draft-ietf-mimi-content) and message status (draft-mahy-mimi-message-status)
export {
  attachmentMessage,
  edit,
  expiresAfterReading,
  expiresAt,
  markdownMessage,
  message,
  reaction,
  reply,
  retraction,
  textMessage,
  threadMessage,
  unreaction,
  type DerivedMessageOptions,
  type MessageOptions,
  type MessageRef,
} from './content/builders.ts';
export { decodeContent, encodeContent } from './content/codec.ts';
export {
  decodeDerivedValues,
  encodeDerivedValues,
  type ExtendedTime,
  type MessageDerivedValues,
} from './content/derived-values.ts';
export { ContentError, type ContentErrorCode } from './content/errors.ts';
export { ContentLimits } from './content/limits.ts';
export { escapeHtmlTags, findMentions, mention, type Mention } from './content/markdown.ts';
export {
  asMessageId,
  contentMessageId,
  MESSAGE_ID_LENGTH,
  type MessageId,
} from './content/message-id.ts';
export {
  Disposition,
  ExtensionKeys,
  type ContentExtensions,
  type Expiration,
  type ExtensionKey,
  type ExternalPart,
  type MimiContent,
  type MultiPart,
  type NestedPart,
  type NullPart,
  type PartSemantics,
  type SinglePart,
} from './content/model.ts';
export {
  externalPart,
  markdownPart,
  MediaTypes,
  multiPart,
  nullPart,
  partByContentId,
  partsInIndexOrder,
  textPart,
  type ExternalContent,
  type PartOptions,
} from './content/parts.ts';
export {
  decodeStatusReport,
  encodeStatusReport,
  MESSAGE_STATUS_MEDIA_TYPE,
  MessageStatus,
  type MessageStatusReport,
  type PerMessageStatus,
} from './content/status.ts';

// Identifiers, ports and byte helpers
export type { DeviceId, RoomId, UserId } from './ids.ts';
export { systemClock, type ClockPort } from './ports/clock.ts';
export { webRandom, type RandomPort } from './ports/random.ts';
export type { InboundMessage, PeerEvent, TransportPort } from './ports/transport.ts';
export { TransportError, type TransportErrorCode } from './ports/transport-error.ts';
export { bytesEqual, compareBytes, fromHex, toHex } from './crypto/bytes.ts';
export {
  canPreverify,
  generateSigningKeyPair,
  nobleEd25519,
  preverifyWithContext,
  signingKeyPairFromSecret,
  signWithContext,
  useEd25519,
  verifyWithContext,
  type ContextSignature,
  type Ed25519Implementation,
  type SigningKeyPair,
} from './crypto/ed25519.ts';

// Identity: users, devices, certificates, safety numbers
export { base32Decode, base32Encode } from './identity/base32.ts';
export {
  deviceCredential,
  kithAuthenticationService,
  readDeviceCredential,
  type DeviceCredentialInfo,
  type KithAuthenticationOptions,
} from './identity/credential.ts';
export {
  decodeDeviceCertificate,
  DEVICE_CERTIFICATE_CONTEXT,
  encodeDeviceCertificate,
  issueDeviceCertificate,
  MAX_DEVICE_NAME_BYTES,
  verifyDeviceCertificate,
  type DeviceCertificate,
} from './identity/device-certificate.ts';
export {
  activeDevices,
  addDevice,
  createDeviceList,
  DEVICE_LIST_CONTEXT,
  isDeviceRevoked,
  newerDeviceList,
  revokeDevice,
  verifyDeviceList,
  type DeviceList,
  type DeviceListVerification,
} from './identity/device-list.ts';
export {
  decodeDeviceList,
  encodeDeviceList,
  MAX_LISTED_DEVICES,
  MAX_REVOKED_DEVICES,
} from './identity/device-list-codec.ts';
export {
  DeviceListBook,
  type DeviceListChange,
  type DeviceListOffer,
  type DeviceListRefusal,
} from './identity/device-list-book.ts';
export {
  checkDeviceLinkProof,
  createDeviceLinkOffer,
  decodeDeviceLink,
  DeviceLinkLimits,
  deviceLinkCode,
  deviceLinkId,
  deviceLinkProof,
  encodeDeviceLink,
  type DeviceLinkOffer,
  type DeviceLinkRole,
} from './identity/device-link.ts';
export { IdentityError, type IdentityErrorCode } from './identity/errors.ts';
export {
  createDeviceIdentity,
  createUserIdentity,
  decodeDeviceIdentity,
  decodeUserIdentity,
  encodeDeviceIdentity,
  encodeUserIdentity,
  linkedDeviceIdentity,
  type DeviceIdentity,
  type UserIdentity,
} from './identity/identities.ts';
export { safetyNumber } from './identity/safety-number.ts';
export {
  deviceIdFromPublicKey,
  isDeviceId,
  isUserId,
  shortDeviceId,
  shortUserId,
  userIdFromPublicKey,
} from './identity/user-id.ts';

// Rooms: roles and capabilities (MIMI room policy), the room state in the MLS group
export { authorizeRoomChange, type RoomChangeContext } from './room/authorize.ts';
export {
  CAPABILITY_CODES,
  capabilityOfCode,
  isCapability,
  type Capability,
} from './room/capabilities.ts';
export { RoomError, type RoomErrorCode } from './room/errors.ts';
export { refuse, type Refusal, type RefusalCode } from './room/refusal.ts';
export {
  defaultRoles,
  roleHas,
  Roles,
  type RoleDefinition,
  type RoleIndex,
  type RoleName,
} from './room/roles.ts';
export {
  decodeRoomState,
  encodeRoomState,
  ROOM_STATE_EXTENSION_TYPE,
} from './room/room-state-codec.ts';
export {
  activeParticipants,
  can,
  isBanned,
  newRoomState,
  roleDefinition,
  roleOf,
  withChanges,
  withParticipant,
  type HistorySharing,
  type NewRoomOptions,
  type RoomKind,
  type RoomProfile,
  type RoomState,
} from './room/room-state.ts';

// MLS groups without a central orderer (ts-mls 1.6.4)
export { checkCommit, type CheckedCommit, type CommitVerdict } from './group/commit-policy.ts';
export { ConversationGroup, type GroupOptions } from './group/conversation-group.ts';
export { commitRank, epochIdOf, type EpochRecord } from './group/epoch.ts';
export { GroupError, type GroupErrorCode } from './group/errors.ts';
export {
  createDeviceKeyPackage,
  decodeKeyPackage,
  encodeKeyPackage,
  keyPackageOwner,
  type DeviceKeyPackage,
} from './group/key-package.ts';
export { memberDevices, type MemberDevice } from './group/leaves.ts';
export type { CommitResult, ReceiveOutcome } from './group/outcomes.ts';
export {
  KITH_CIPHERSUITE,
  kithCapabilities,
  kithClientConfig,
  loadCiphersuite,
} from './group/suite.ts';

// The timeline: signed Yjs updates, validation, the reduced view
export type { ControlPlaneView, TimelineAction } from './timeline/control-plane.ts';
export {
  ConversationDoc,
  type ConversationDocOptions,
  type TimelineListener,
} from './timeline/conversation-doc.ts';
export type { ForkEvidence } from './timeline/author-chain.ts';
export { TimelineError, type TimelineErrorCode } from './timeline/errors.ts';
export { TimelineLimits } from './timeline/limits.ts';
export {
  decodeSignedUpdate,
  encodeSignedUpdate,
  GENESIS_PREV,
  preverifySignedUpdates,
  signedUpdateHash,
  signUpdate,
  verifySignedUpdate,
  type SignedUpdate,
  type UnsignedUpdate,
} from './timeline/signed-update.ts';
export type { ChainHead, TimelineStateVector } from './timeline/sync.ts';
export type {
  MessageVersion,
  TimelineChange,
  TimelineMessage,
} from './timeline/timeline-message.ts';
export { roomUri, userUri } from './timeline/uris.ts';
export type { RejectReason, UpdateVerdict } from './timeline/verdict.ts';
export { yjsClientId } from './timeline/client-id.ts';
export { messageText } from './timeline/message-text.ts';

// Sync protocol frames (docs/PROTOCOL.md, "Sync")
export { SyncError, type SyncErrorCode } from './sync/errors.ts';
export {
  decodeDirectFrame,
  encodeDirectFrame,
  MAX_FRAME_BYTES,
  type DirectFrame,
} from './sync/frames.ts';
export { decodeAppPayload, encodeAppPayload, type AppPayload } from './sync/payload.ts';
export { roomTopic } from './sync/topic.ts';
export {
  mailboxKeyOf,
  mailboxEpochOf,
  signMailboxPut,
  signMailboxPutMany,
  signMailboxRead,
  verifyMailboxPut,
  verifyMailboxPutMany,
  verifyMailboxRead,
  type MailboxKey,
} from './relay/mailbox.ts';
export {
  decodeMailboxRequest,
  decodeMailboxResponse,
  encodeMailboxRequest,
  encodeMailboxResponse,
  MailboxLimits,
  type MailboxRefusal,
  type MailboxRequest,
  type MailboxResponse,
} from './relay/mailbox-wire.ts';
export {
  decodeKeyPackageRequest,
  decodeKeyPackageResponse,
  encodeKeyPackageRequest,
  encodeKeyPackageResponse,
  KeyPackageLimits,
  type KeyPackageRequest,
  type KeyPackageResponse,
} from './relay/key-package-wire.ts';
export {
  decodeInboxRequest,
  decodeInboxResponse,
  encodeInboxRequest,
  encodeInboxResponse,
  InboxLimits,
  signInboxItem,
  verifyInboxItem,
  type InboxItem,
  type InboxRequest,
  type InboxResponse,
} from './relay/inbox-wire.ts';

// Storage
export { StorageError, toStorageError, type StorageErrorCode } from './storage/errors.ts';
export {
  joinKey,
  keyPrefix,
  parseSeqKey,
  parseSeqKeyNumber,
  prefixRange,
  seqKey,
  splitKey,
  type KeySegment,
} from './storage/keys.ts';
export {
  KvStore,
  type KvDatabase,
  type KvOperation,
  type KvRange,
  type KvReadOptions,
} from './storage/store.ts';

// The client: one per device
export { ClientError, type ClientErrorCode } from './client/errors.ts';
export { ControlHistory } from './client/control-history.ts';
export type { KithEvent, KithEventOf, KithEventType, SyncStatus } from './client/events.ts';
export { KithClient, type KithClientOptions } from './client/kith-client.ts';
export { forgetUserKey, hasDeviceIdentity, type LinkedDevice } from './client/identity-store.ts';
export type {
  CertifiedDevice,
  DeviceListView,
  ListedDevice,
  RevokeReport,
} from './client/client-devices.ts';
export { DEVICES_META_KEY } from './client/device-lists.ts';
export type { SendOptions } from './client/compose.ts';
export type { ProfileChange } from './client/intent.ts';
export type { RoomSummary } from './client/summary.ts';

// Contact links (docs/PROTOCOL.md, "Contact links")
export {
  contactLinkForQr,
  ContactLinkError,
  ContactLinkLimits,
  decodeContactLink,
  encodeContactLink,
  type ContactLink,
  type ContactLinkDevice,
  type ContactLinkDeviceInput,
  type ContactLinkErrorCode,
  type ContactLinkInput,
} from './contacts/contact-link.ts';
export {
  INVITE_POLICIES,
  isInvitePolicy,
  type BlockedUser,
  type InvitePolicy,
} from './client/safety-settings.ts';
export type { InviteRefusalReason } from './client/safety-policy.ts';

// People: profiles, mentions, threads, capabilities shown before trying
export { cleanDisplayText } from './people/display-text.ts';
export {
  cleanAvatar,
  decodeDeviceProfile,
  encodeDeviceProfile,
  PROFILE_META_KEY,
  ProfileLimits,
  type DeviceProfile,
} from './people/profile.ts';
export {
  roomMembers,
  userProfiles,
  type KnownDevice,
  type MemberDeviceProfile,
  type RoomMember,
  type UserProfile,
} from './people/members.ts';
export {
  linkMentions,
  mentionedUsers,
  mentionOf,
  userOfMentionUri,
  type Mentionable,
} from './people/mentions.ts';
export type { ProfileInput } from './client/people.ts';
export { threadMessages, threadsOf, type ThreadSummary } from './timeline/threads.ts';
export { capabilitiesOf, type UserCapabilities } from './room/user-capabilities.ts';

// Receipts, typing and presence (docs/PROTOCOL.md, "Receipts" and "Ephemeral signals")
export type { PublishOptions } from './ports/transport.ts';
export {
  decodeRoomPayload,
  encodeSignalPayload,
  type RoomPayload,
  type SignalPayload,
  type UnknownPayload,
} from './sync/payload.ts';
export {
  decodeSignal,
  encodeSignal,
  PRESENCE_STATES,
  type EphemeralSignal,
  type PresenceState,
} from './signals/signal-codec.ts';
export { markerIntervalMs, presenceRefreshMs, SignalTimings } from './signals/limits.ts';
export type { UserPresence } from './signals/presence.ts';
export {
  DELIVERED_META_KEY,
  RoomReceipts,
  type DeviceReceipt,
  type MessageReceipts,
  type ReceiptStatus,
} from './signals/receipts.ts';
export { DEFAULT_SIGNAL_SETTINGS, type SignalSettings } from './signals/settings.ts';
export type { BodyChanges, StoredBodies } from './timeline/bodies.ts';
export { expiryOf } from './timeline/expiry.ts';
export { withBodies, withoutBodies } from './timeline/signed-update.ts';
export { withExpiry } from './client/disappearing.ts';

// Porting history between services (docs/PROTOCOL.md §6.3)
export type { ImportProgress, ImportReport } from './client/client-import.ts';
export { fromBase64, toBase64 } from './import/base64.ts';
export { ExportError, type ExportErrorCode } from './import/errors.ts';
export {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  exportHistory,
  type ExportHeader,
  type ExportRecordJson,
} from './import/export.ts';
export { parseExport, type ExportRecord, type ParsedExport } from './import/export-parse.ts';
export { htmlToMarkdown } from './import/html-markdown.ts';
export {
  totalSkipped,
  type ImportItem,
  type ImportPlan,
  type SkipCounts,
  type SkipReason,
} from './import/item.ts';
export { exportToImport } from './import/kith-import.ts';
export { ImportLimits } from './import/limits.ts';
export { ImportMaterializer, type ImportContext } from './import/materialize.ts';
export { matrixToMimi } from './import/matrix.ts';
export { OriginKeys, readOrigin, type ImportOrigin } from './import/origin.ts';

// media
export { webCryptoAead, type AeadFactory, type RecordAead } from './media/aead.ts';
export {
  blobHashOf,
  blobIdOf,
  blobUri,
  parseBlobId,
  parseBlobUri,
  type BlobId,
  type BlobLocator,
} from './media/blob-id.ts';
export {
  BlobProtocolLimits,
  decodeBlobRequest,
  encodeBlobRequest,
  type BlobRequest,
} from './media/blob-protocol.ts';
export {
  MemoryBlobStore,
  type BlobStore,
  type StagedBlob,
  type StoredBlob,
} from './media/blob-store.ts';
export { chunksOf, type ByteSource, type Chunk } from './media/chunks.ts';
export { BlobError, type BlobErrorCode } from './media/errors.ts';
export { BlobLayout, BlobLimits } from './media/layout.ts';
export { BlobOpener, BlobVerifier, openBlob, type BlobDescriptor } from './media/opener.ts';
export { BlobSealer, type BlobKeys, type SealedBlob } from './media/sealer.ts';
export { blobSha256, useBlobSha256, type StreamHash } from './media/stream-hash.ts';
export {
  attachmentBody,
  attachmentPart,
  fallbackText,
  findAttachment,
  formatDuration,
  formatSize,
  KITH_BLOB_AEAD,
  readAttachment,
  type Attachment,
  type FileDetails,
} from './content/attachment.ts';
export { SNIFF_BYTES, sniffMediaType, trustedMediaType } from './media/sniff.ts';
export { MediaError, type MediaErrorCode } from './media/media-errors.ts';
export {
  checkedImageHeader,
  imageHeader,
  ImageLimits,
  type ImageHeader,
} from './media/image-header.ts';
export {
  checkedThumbnail,
  isBlurHash,
  MEDIA_INFO_TYPE,
  previewParts,
  PreviewLimits,
  readMediaPreview,
  type MediaPreview,
  type Thumbnail,
} from './media/preview.ts';
export { MAX_VOICE_BYTES, oggOpusSummary, type AudioSummary } from './media/ogg-opus.ts';
export { AvatarLimits, avatarUri, readAvatarUri, type AvatarBlob } from './media/avatar.ts';
// message status
export {
  RoomMessageStatus,
  type DeliveryState,
  type DeliveryStatus,
} from './client/message-status.ts';
// calls
export { CallError, type CallErrorCode } from './calls/errors.ts';
export {
  CALL_ID_BYTES,
  CALL_SIGNAL_KIND,
  MAX_CALL_SIGNAL_BYTES,
  decodeCallSignal,
  encodeCallSignal,
  type CallMedia,
  type CallSignal,
  type HangupReason,
} from './calls/call-signal.ts';
export {
  CallLimits,
  CallTimings,
  type CallEndReason,
  type CallMember,
  type CallOutput,
  type CallPeerView,
  type CallPhase,
  type CallRefusal,
  type CallResult,
  type CallView,
  type MediaAction,
  type PeerState,
} from './calls/call-types.ts';
export { CallMachine } from './calls/call-machine.ts';
export { sdpFingerprint } from './calls/call.ts';
export { ClientCalls, type StartCallOptions, type StartCallResult } from './client/client-calls.ts';
export {
  CALL_RECORD_TYPE,
  callRecordOf,
  missedCallMessage,
  type CallRecord,
} from './calls/missed-call.ts';
export {
  SframeSuites,
  sframeSuite,
  type SframeSuite,
  type SframeSuiteId,
} from './calls/sframe/suites.ts';
export {
  SframeReceiver,
  SframeSender,
  type SframeOpenResult,
  type SframeRejection,
} from './calls/sframe/sframe-context.ts';
export {
  MlsSframeKeys,
  type MlsSframeOpenResult,
  type MlsSframeOptions,
  type MlsSframeRejection,
  type SframeEpochInput,
} from './calls/sframe/mls-keys.ts';
export { SFRAME_EXPORTER_LABEL, sframeBaseKey } from './calls/sframe/mls-base-key.ts';
// porting
export { exportMatrix, MATRIX_MARKDOWN_FIELD, matrixUserId } from './import/matrix-export.ts';
export { telegramToMimi, type TelegramChat } from './import/telegram.ts';
export {
  BACKUP_MAGIC,
  BACKUP_VERSION,
  BackupLimits,
  openBackup,
  sealBackup,
  type BackupKdfParams,
} from './backup/backup-file.ts';
export { type BackupBody, type BackupRoom } from './backup/backup-body.ts';
export { BackupError, type BackupErrorCode } from './backup/errors.ts';
