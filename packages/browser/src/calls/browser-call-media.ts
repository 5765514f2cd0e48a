import {
  sdpFingerprint,
  toHex,
  type DeviceId,
  type KithClient,
  type KithEventOf,
} from '@kith/core';

/** How a browser device's calls reach the network. */
export interface BrowserCallMediaOptions {
  /** The local tracks every peer gets (microphone, camera: the app's `getUserMedia`). */
  readonly stream: MediaStream;
  /** ICE servers (STUN, TURN); default none. */
  readonly iceServers?: RTCIceServer[];
  /** The SFrame worker (default: `sframe-worker.ts` beside this file, as a module worker). */
  readonly worker?: Worker;
  /** Errors of the media layer. */
  readonly onError?: (error: unknown) => void;
  /** Remote tracks as they arrive, per peer (to play or show them). */
  readonly onTrack?: (peer: DeviceId, track: MediaStreamTrack) => void;
}

/** What the SFrame worker counted. */
export interface BrowserCallStats {
  readonly sent: number;
  readonly decoded: number;
  readonly refused: number;
  /** Refused frames by reason (`replay`, `auth`, `stale-epoch`...). */
  readonly reasons: Readonly<Record<string, number>>;
}

interface Peer {
  readonly pc: RTCPeerConnection;
  expected: { algorithm: string; value: string } | undefined;
  /** Candidates that came before the peer's SDP (signals of one sender may cross). */
  early: RTCIceCandidateInit[] | undefined;
}

/**
 * A browser device's WebRTC for its calls: the browser's own RTCPeerConnection, following the
 * client's `callMedia` steps, with an SFrame transform (RFC 9605, `RTCRtpScriptTransform` in a
 * worker) on every sender and receiver, set before negotiating. Media counts as up only once
 * the peer's DTLS certificate hashes to the fingerprint its MLS-signalled SDP named.
 */
export class BrowserCallMedia {
  readonly #client: KithClient;
  readonly #options: BrowserCallMediaOptions;
  readonly #worker: Worker;
  readonly #peers = new Map<string, Peer>();
  readonly #off: (() => void)[];

  constructor(client: KithClient, options: BrowserCallMediaOptions) {
    this.#client = client;
    this.#options = options;
    this.#worker =
      options.worker ??
      new Worker(new URL('./sframe-worker.ts', import.meta.url), { type: 'module' });
    this.#off = [
      client.on('callMedia', (e) => {
        this.#step(e).catch((error: unknown) => {
          this.#fail(e, error);
        });
      }),
      client.on('membership', () => {
        for (const key of new Set([...this.#peers.keys()].map((k) => k.split('/')[0] ?? ''))) {
          void this.#keys(key);
        }
      }),
    ];
  }

  /** The SFrame worker's counts: frames sent, decoded, refused. */
  stats(): Promise<BrowserCallStats> {
    return new Promise((resolve) => {
      const listener = (event: MessageEvent<{ type: string; stats: BrowserCallStats }>): void => {
        if (event.data.type !== 'stats') return;
        this.#worker.removeEventListener('message', listener);
        resolve(event.data.stats);
      };
      this.#worker.addEventListener('message', listener);
      this.#worker.postMessage({ type: 'stats' });
    });
  }

  /** Closes every peer connection and the worker, and stops following the client. */
  close(): void {
    for (const off of this.#off) off();
    for (const p of this.#peers.values()) p.pc.close();
    this.#peers.clear();
    this.#worker.terminate();
  }

  async #step(e: KithEventOf<'callMedia'>): Promise<void> {
    const key = `${toHex(e.callId)}/${e.peer}`;
    const calls = this.#client.calls;
    if (e.step.action === 'open') {
      if (!this.#peers.has(key)) this.#open(key, e);
      return;
    }
    const peer = this.#peers.get(key);
    if (peer === undefined) return;
    const pc = peer.pc;
    switch (e.step.action) {
      case 'create-offer': {
        await pc.setLocalDescription(await pc.createOffer());
        await calls.localDescription(e.callId, e.peer, pc.localDescription?.sdp ?? '');
        return;
      }
      case 'accept-offer':
      case 'apply-answer': {
        peer.expected = sdpFingerprint(e.step.sdp);
        const type = e.step.action === 'accept-offer' ? 'offer' : 'answer';
        await pc.setRemoteDescription({ type, sdp: e.step.sdp });
        const early = peer.early ?? [];
        peer.early = undefined;
        for (const c of early) await pc.addIceCandidate(c).catch(this.#options.onError);
        if (type === 'answer') return;
        await pc.setLocalDescription(await pc.createAnswer());
        await calls.localDescription(e.callId, e.peer, pc.localDescription?.sdp ?? '');
        return;
      }
      case 'add-candidate': {
        if (e.step.candidate === '') return;
        const candidate = { candidate: e.step.candidate, sdpMid: e.step.mid ?? null };
        if (peer.early === undefined) await pc.addIceCandidate(candidate);
        else peer.early.push(candidate);
        return;
      }
      case 'close':
        this.#peers.delete(key);
        pc.close();
        return;
    }
  }

  #open(key: string, e: KithEventOf<'callMedia'>): void {
    const pc = new RTCPeerConnection({ iceServers: this.#options.iceServers ?? [] });
    const peer: Peer = { pc, expected: undefined, early: [] };
    this.#peers.set(key, peer);
    void this.#keys(toHex(e.callId));
    for (const track of this.#options.stream.getTracks()) {
      const sender = pc.addTrack(track, this.#options.stream);
      sender.transform = new RTCRtpScriptTransform(this.#worker, { side: 'send' });
    }
    // Receivers exist once the tracks are added: their transform is set before negotiating
    // (w3c/webrtc-encoded-transform#314).
    for (const receiver of pc.getReceivers()) {
      receiver.transform = new RTCRtpScriptTransform(this.#worker, { side: 'receive' });
    }
    pc.ontrack = (event) => this.#options.onTrack?.(e.peer, event.track);
    pc.onicecandidate = (event) => {
      const c = event.candidate;
      void this.#client.calls
        .localCandidate(e.callId, e.peer, c?.candidate ?? '', c?.sdpMid ?? undefined)
        .catch(this.#options.onError);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') void this.#connected(e, peer);
      else if (pc.connectionState === 'failed') {
        void this.#client.calls.mediaState(e.callId, e.peer, false).catch(this.#options.onError);
      }
    };
  }

  /** DTLS is up: the peer's certificate must hash to the fingerprint its SDP named. */
  async #connected(e: KithEventOf<'callMedia'>, peer: Peer): Promise<void> {
    const transport = peer.pc.getSenders()[0]?.transport;
    const cert = transport?.getRemoteCertificates()[0];
    let matches = false;
    if (cert !== undefined && peer.expected?.algorithm === 'sha-256') {
      const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', cert));
      const hex = [...hash].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
      matches = hex === peer.expected.value;
    }
    if (!matches) peer.pc.close();
    await this.#client.calls.mediaState(e.callId, e.peer, matches);
  }

  /** The call's SFrame keys for the room's current epoch, to the worker. */
  async #keys(callHex: string): Promise<void> {
    const callId = Uint8Array.from(callHex.match(/../g) ?? [], (h) => parseInt(h, 16));
    const input = await this.#client.calls.sframeEpoch(callId);
    if (input !== undefined) this.#worker.postMessage({ type: 'epoch', input });
  }

  #fail(e: KithEventOf<'callMedia'>, error: unknown): void {
    this.#options.onError?.(error);
    void this.#client.calls.mediaState(e.callId, e.peer, false).catch(() => undefined);
  }
}
