/** Chromium records Opus only in WebM; others may offer Ogg or MP4. */
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4'];

/**
 * A voice message being recorded from the microphone with MediaRecorder, in the page. `stop`
 * gives the recording as a file; `cancel` drops it. Either way the microphone is released.
 */
export class VoiceRecorder {
  readonly startedAt: number;
  readonly #stream: MediaStream;
  readonly #recorder: MediaRecorder;
  readonly #chunks: Blob[] = [];

  private constructor(stream: MediaStream, recorder: MediaRecorder, now: number) {
    this.#stream = stream;
    this.#recorder = recorder;
    this.startedAt = now;
    recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0) this.#chunks.push(e.data);
    });
  }

  /** Asks for the microphone and starts recording; rejects without one or without permission. */
  static async start(now: number): Promise<VoiceRecorder> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    try {
      const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
      const recorder = new MediaRecorder(stream, mimeType === undefined ? {} : { mimeType });
      const voice = new VoiceRecorder(stream, recorder, now);
      recorder.start(1000);
      return voice;
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      throw error;
    }
  }

  /** Ends the recording: the voice message as a file to send. */
  stop(): Promise<File> {
    return new Promise((resolve) => {
      this.#recorder.addEventListener(
        'stop',
        () => {
          const type = (this.#recorder.mimeType || 'audio/webm').split(';')[0] ?? 'audio/webm';
          const extension = type === 'audio/mp4' ? 'm4a' : type.slice('audio/'.length);
          const blob = new Blob(this.#chunks, { type });
          resolve(new File([blob], `voice-message.${extension}`, { type }));
        },
        { once: true },
      );
      this.#release();
    });
  }

  /** Drops the recording. */
  cancel(): void {
    this.#release();
  }

  #release(): void {
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    for (const track of this.#stream.getTracks()) track.stop();
  }
}
