/// <reference lib="webworker" />
import { MlsSframeKeys, sframeSuite, SframeSuites, type SframeEpochInput } from '@kith/core';

/**
 * The SFrame transform of a device's calls (RFC 9605), in the worker that
 * `RTCRtpScriptTransform` runs: every encoded frame a sender hands over is encrypted with the
 * newest epoch's key, every frame a receiver gets is decrypted (one that does not decrypt is
 * dropped, never played). Keys come from the page (`epoch` messages); counts go back on
 * `stats` requests.
 */

interface EncodedFrame {
  data: ArrayBuffer;
}
interface Transformer {
  readonly readable: ReadableStream<EncodedFrame>;
  readonly writable: WritableStream<EncodedFrame>;
  readonly options: { readonly side: 'send' | 'receive' };
}
interface WorkerScope {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  onrtctransform: ((event: { transformer: Transformer }) => void) | null;
  postMessage(message: unknown): void;
}

/** What the page tells the worker. */
export type WorkerRequest =
  { readonly type: 'epoch'; readonly input: SframeEpochInput } | { readonly type: 'stats' };

const scope = self as unknown as WorkerScope;
const keys = new MlsSframeKeys({ suite: sframeSuite(SframeSuites.AES_128_GCM_SHA256_128) });
const stats = { sent: 0, decoded: 0, refused: 0, reasons: {} as Record<string, number> };

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === 'epoch') keys.addEpoch(request.input, Date.now());
  else scope.postMessage({ type: 'stats', stats });
};

scope.onrtctransform = ({ transformer }) => {
  const send = transformer.options.side === 'send';
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    transform(frame, controller) {
      const data = new Uint8Array(frame.data);
      if (send) {
        // No key yet (the epoch is on its way): nothing leaves unencrypted.
        if (keys.epochs.length === 0) return;
        frame.data = keys.encrypt(data).slice().buffer;
        stats.sent++;
        controller.enqueue(frame);
        return;
      }
      const opened = keys.decrypt(data, undefined, Date.now());
      if (!opened.ok) {
        stats.refused++;
        stats.reasons[opened.reason] = (stats.reasons[opened.reason] ?? 0) + 1;
        return;
      }
      stats.decoded++;
      frame.data = opened.plaintext.slice().buffer;
      controller.enqueue(frame);
    },
  });
  void transformer.readable.pipeThrough(transform).pipeTo(transformer.writable);
};
