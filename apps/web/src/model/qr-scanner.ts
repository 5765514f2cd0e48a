/** Decodes a QR code in RGBA pixels (jsQR's signature). */
type Decode = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: 'attemptBoth' },
) => { data: string } | null;

/** jsQR, a CommonJS module whose default export bundlers hand over wrapped or not. */
async function loadDecoder(): Promise<Decode> {
  const module = (await import('jsqr')) as unknown as { default: Decode | { default: Decode } };
  return typeof module.default === 'function' ? module.default : module.default.default;
}

/** Frames looked at per second: enough to feel instant, little enough for a phone. */
const FRAME_MS = 150;
/** Frames are scaled down to this width before decoding (a contact code stays readable). */
const MAX_WIDTH = 800;

/**
 * Reads QR codes from the camera, in the page: frames go from a <video> to a canvas and to
 * jsQR (loaded only when a scan starts), nothing leaves the page. `stop` releases the camera.
 */
export class QrScanner {
  readonly #video: HTMLVideoElement;
  #stream: MediaStream | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(video: HTMLVideoElement) {
    this.#video = video;
  }

  /**
   * Asks for the camera (the back one where there is a choice), shows it in the video, and
   * calls `onText` with the first code read; rejects when there is no camera or no permission.
   */
  async start(onText: (text: string) => void): Promise<void> {
    const [decode, stream] = await Promise.all([
      loadDecoder(),
      navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: 'environment' } },
        audio: false,
      }),
    ]);
    if (this.#stopped) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.#stream = stream;
    this.#video.srcObject = stream;
    await this.#video.play();
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('this browser cannot read camera frames');
    const look = (): void => {
      if (this.#stopped) return;
      const { videoWidth, videoHeight } = this.#video;
      if (videoWidth > 0 && videoHeight > 0) {
        const scale = Math.min(1, MAX_WIDTH / videoWidth);
        canvas.width = Math.round(videoWidth * scale);
        canvas.height = Math.round(videoHeight * scale);
        context.drawImage(this.#video, 0, 0, canvas.width, canvas.height);
        const frame = context.getImageData(0, 0, canvas.width, canvas.height);
        const code = decode(frame.data, frame.width, frame.height, {
          inversionAttempts: 'attemptBoth',
        });
        if (code !== null && code.data !== '') {
          this.stop();
          onText(code.data);
          return;
        }
      }
      this.#timer = setTimeout(look, FRAME_MS);
    };
    look();
  }

  /** Stops looking and turns the camera off. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = undefined;
    this.#video.srcObject = null;
  }
}
