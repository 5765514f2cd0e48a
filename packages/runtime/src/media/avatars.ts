import {
  AvatarLimits,
  avatarUri,
  BlobLimits,
  BlobSealer,
  checkedImageHeader,
  MediaError,
  openBlob,
  readAvatarUri,
  sniffMediaType,
  webCryptoAead,
  type AeadFactory,
  type AvatarBlob,
  type DeviceId,
  type KithClient,
  type RoomId,
} from '@kith/core';
import type { BlobTransfers } from './blob-transfers.ts';
import { shrinkImage, type ImageCodec, type RgbaImage } from './image-codec.ts';

/** Largest avatar picture decoded for display (a sender may claim any size in its header). */
const SHOWN_SIDE = 1024;

/**
 * User and room avatars as blobs: a picture is cropped square, scaled to 256 px, sealed and
 * kept like a sent file, and its reference (`avatarUri`, key included) set as the profile's or
 * the room's avatar. Members fetch it from the room's devices by that reference and get it
 * back only if it is the picture type it claims and of a sane size.
 */
export class DeviceAvatars {
  readonly #client: KithClient;
  readonly #blobs: BlobTransfers;
  readonly #codec: ImageCodec;
  readonly #aead: AeadFactory;

  constructor(client: KithClient, blobs: BlobTransfers, codec: ImageCodec, aead?: AeadFactory) {
    this.#client = client;
    this.#blobs = blobs;
    this.#codec = codec;
    this.#aead = aead ?? webCryptoAead;
  }

  /** Makes `picture` (PNG or JPEG) this user's avatar in every room; returns its reference. */
  async setUserAvatar(picture: Uint8Array): Promise<string> {
    const uri = await this.make(picture);
    await this.#client.setProfile({
      displayName: this.#client.profile?.userName ?? '',
      avatar: uri,
    });
    return uri;
  }

  /** Makes `picture` the room's avatar (a role with canChangeRoomAvatar); returns its reference. */
  async setRoomAvatar(roomId: RoomId, picture: Uint8Array): Promise<string> {
    const uri = await this.make(picture);
    await this.#client.setRoomProfile(roomId, { avatar: uri });
    return uri;
  }

  /** Seals an avatar of `picture` into the blob store; its reference. */
  async make(picture: Uint8Array): Promise<string> {
    const image = shrinkImage(square(this.#codec.decode(picture)), AvatarLimits.side);
    const bytes = this.#codec.encodeJpeg(image, 80);
    const keys = {
      key: crypto.getRandomValues(new Uint8Array(BlobLimits.keyBytes)),
      nonce: crypto.getRandomValues(new Uint8Array(BlobLimits.nonceBytes)),
      recordSize: BlobLimits.defaultRecordSize,
    };
    const sealer = await BlobSealer.create(this.#aead, keys);
    const staged = this.#blobs.store.stage();
    try {
      let index = 0;
      for await (const record of sealer.seal(bytes)) await staged.putRecord(index++, record);
      await staged.commit(sealer.result.id, sealer.result.recordCount);
    } catch (error) {
      await staged.abort().catch(() => undefined);
      throw error;
    }
    return avatarUri({
      ...keys,
      id: sealer.result.id,
      size: bytes.length,
      mediaType: 'image/jpeg',
    });
  }

  /**
   * The picture an avatar reference names, fetched from the room's members (`first` first) if
   * this device lacks it; undefined for a reference that is no Kith blob (a plain URI). A
   * MediaError when the bytes are not the type claimed or declare a picture over 1024 px a side.
   */
  async fetch(
    roomId: RoomId,
    uri: string,
    first?: DeviceId,
  ): Promise<{ mediaType: AvatarBlob['mediaType']; bytes: Uint8Array } | undefined> {
    const avatar = readAvatarUri(uri);
    if (avatar === undefined) return undefined;
    const attachment = { ...avatar, contentType: avatar.mediaType, filename: '', description: '' };
    if ((await this.#blobs.store.info(avatar.id))?.recordCount === undefined) {
      await this.#blobs.downloadBlob(roomId, attachment, first).done;
    }
    const bytes = new Uint8Array(avatar.size);
    let at = 0;
    for await (const chunk of openBlob(this.#aead, avatar, this.#records(avatar))) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    if (sniffMediaType(bytes) !== avatar.mediaType) {
      throw new MediaError(
        'MEDIA_TYPE_MISMATCH',
        `the avatar is not the ${avatar.mediaType} it claims`,
      );
    }
    checkedImageHeader(bytes, { maxSide: SHOWN_SIDE, maxPixels: SHOWN_SIDE * SHOWN_SIDE });
    return { mediaType: avatar.mediaType, bytes };
  }

  async *#records(avatar: AvatarBlob): AsyncGenerator<Uint8Array> {
    const count = Math.max(1, Math.ceil(avatar.size / avatar.recordSize));
    for (let i = 0; i < count; i++) {
      const record = await this.#blobs.store.getRecord(avatar.id, i);
      if (record === undefined) return;
      yield record;
    }
  }
}

/** The centre square of an image. */
function square(image: RgbaImage): RgbaImage {
  const side = Math.min(image.width, image.height);
  if (image.width === image.height) return image;
  const x0 = Math.floor((image.width - side) / 2);
  const y0 = Math.floor((image.height - side) / 2);
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    const from = ((y + y0) * image.width + x0) * 4;
    data.set(image.data.subarray(from, from + side * 4), y * side * 4);
  }
  return { width: side, height: side, data };
}
