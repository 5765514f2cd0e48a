import ndc, { type PeerConnection, type Track } from 'node-datachannel';
import {
  MlsSframeKeys,
  sdpFingerprint,
  sframeSuite,
  SframeSuites,
  toHex,
  type DeviceId,
  type KithClient,
  type KithEventOf,
} from '@kith/core';
import { OPUS_PAYLOAD_TYPE, rtpPayload } from './rtp.ts';

/** How a Node device's calls reach the network. */
export interface NodeCallMediaOptions {
  /** The address ICE gathers candidates on (tests: 127.0.0.1); default every interface. */
  readonly bindAddress?: string;
  /** STUN and TURN servers, as libdatachannel URLs (`stun:host:port`); default none. */
  readonly iceServers?: readonly string[];
  /** Errors of the media layer (a peer connection that could not be made...). */
  readonly onError?: (error: unknown) => void;
}

/** An audio frame that arrived from a peer of a call and decrypted (SFrame). */
export interface ReceivedFrame {
  readonly callId: Uint8Array;
  readonly peer: DeviceId;
  readonly frame: Uint8Array;
}

/** What the media layer counted, for diagnostics and tests. */
export interface CallMediaStats {
  /** RTP packets of the audio payload type received. */
  rtpIn: number;
  /** Frames that decrypted. */
  decoded: number;
  /** Frames SFrame refused (wrong key, replay, a sender outside the call). */
  refused: number;
  /** Peers whose DTLS certificate did not match the fingerprint of their signalled SDP. */
  fingerprintMismatches: number;
}

interface Peer {
  readonly pc: PeerConnection;
  readonly track: Track;
  /** Kept referenced: node-datachannel stops media when these are collected. */
  readonly chain: readonly unknown[];
  /** The fingerprint the MLS-authenticated SDP named; checked once DTLS is up. */
  expected: { algorithm: string; value: string } | undefined;
  /** Candidates that came before the peer's SDP (signals of one sender may cross). */
  early: { candidate: string; mid: string }[] | undefined;
  up: boolean;
}

interface CallMedia {
  readonly roomId: string;
  readonly keys: MlsSframeKeys;
  readonly peers: Map<DeviceId, Peer>;
}

/**
 * A Node device's WebRTC audio for its calls, through node-datachannel's low-level media API
 * (it has no codecs: the app gives encoded frames, e.g. Opus packets, and gets them back).
 * It follows the client's `callMedia` steps: one peer connection per peer with one audio track,
 * SDP and candidates reported back to the call signalling, and the peer's DTLS certificate
 * checked against the fingerprint in the SDP that came over MLS. Every frame is SFrame-encrypted
 * (RFC 9605, keys from the room's MLS exporter per epoch) before it is packetised, so RTP
 * carries only SFrame ciphertext.
 */
export class NodeCallMedia {
  readonly stats: CallMediaStats = { rtpIn: 0, decoded: 0, refused: 0, fingerprintMismatches: 0 };
  readonly #client: KithClient;
  readonly #options: NodeCallMediaOptions;
  readonly #calls = new Map<string, CallMedia>();
  readonly #handlers = new Set<(frame: ReceivedFrame) => void>();
  readonly #off: (() => void)[];

  constructor(client: KithClient, options: NodeCallMediaOptions = {}) {
    this.#client = client;
    this.#options = options;
    this.#off = [
      client.on('callMedia', (e) => {
        this.#step(e);
      }),
      client.on('membership', (e) => {
        for (const [key, call] of this.#calls) {
          if (call.roomId === e.roomId) this.#refreshKeys(key);
        }
      }),
    ];
  }

  /** Frames that arrive from peers, decrypted; returns the function that stops listening. */
  onFrame(handler: (frame: ReceivedFrame) => void): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Peers of a call whose media is up. */
  connectedPeers(callId: Uint8Array): DeviceId[] {
    const call = this.#calls.get(toHex(callId));
    return [...(call?.peers ?? new Map<DeviceId, Peer>())].filter(([, p]) => p.up).map(([d]) => d);
  }

  /**
   * Sends one encoded audio frame to every peer of the call whose media is up: encrypted once
   * (SFrame), packetised into RTP per peer. Returns how many peers it went to.
   */
  sendFrame(callId: Uint8Array, frame: Uint8Array): number {
    const call = this.#calls.get(toHex(callId));
    if (call === undefined) return 0;
    const peers = [...call.peers.values()].filter((p) => p.up && p.track.isOpen());
    if (peers.length === 0) return 0;
    const sealed = Buffer.from(call.keys.encrypt(frame));
    for (const p of peers) p.track.sendMessageBinary(sealed);
    return peers.length;
  }

  /** Closes every peer connection and stops following the client. */
  close(): void {
    for (const off of this.#off) off();
    for (const call of this.#calls.values()) {
      for (const p of call.peers.values()) this.#closePeer(p);
    }
    this.#calls.clear();
    this.#handlers.clear();
  }

  #step(e: KithEventOf<'callMedia'>): void {
    const key = toHex(e.callId);
    try {
      switch (e.step.action) {
        case 'open':
          this.#open(key, e);
          return;
        case 'create-offer':
          this.#peer(key, e.peer)?.pc.setLocalDescription('offer');
          return;
        case 'accept-offer':
        case 'apply-answer': {
          const peer = this.#peer(key, e.peer);
          if (peer === undefined) return;
          peer.expected = sdpFingerprint(e.step.sdp);
          const type = e.step.action === 'accept-offer' ? 'offer' : 'answer';
          peer.pc.setRemoteDescription(e.step.sdp, type);
          const early = peer.early ?? [];
          peer.early = undefined;
          for (const c of early) this.#candidate(peer, c.candidate, c.mid);
          return;
        }
        case 'add-candidate': {
          const peer = this.#peer(key, e.peer);
          if (peer === undefined || e.step.candidate === '') return;
          const mid = e.step.mid ?? '0';
          if (peer.early === undefined) this.#candidate(peer, e.step.candidate, mid);
          else peer.early.push({ candidate: e.step.candidate, mid });
          return;
        }
        case 'close': {
          const call = this.#calls.get(key);
          const peer = call?.peers.get(e.peer);
          if (call === undefined || peer === undefined) return;
          call.peers.delete(e.peer);
          this.#closePeer(peer);
          if (call.peers.size === 0) this.#calls.delete(key);
          return;
        }
      }
    } catch (error) {
      this.#fail(e.callId, e.peer, error);
    }
  }

  #open(key: string, e: KithEventOf<'callMedia'>): void {
    let call = this.#calls.get(key);
    if (call === undefined) {
      call = {
        roomId: e.roomId,
        keys: new MlsSframeKeys({ suite: sframeSuite(SframeSuites.AES_128_GCM_SHA256_128) }),
        peers: new Map(),
      };
      this.#calls.set(key, call);
      this.#refreshKeys(key);
    }
    if (call.peers.has(e.peer)) return;
    const pc = new ndc.PeerConnection(`kith-${e.peer.slice(0, 8)}`, {
      iceServers: [...(this.#options.iceServers ?? [])],
      ...(this.#options.bindAddress === undefined
        ? {}
        : { bindAddress: this.#options.bindAddress }),
    });
    const ssrc = 1 + Math.floor(Math.random() * 0xfffffffe);
    const audio = new ndc.Audio('0', 'SendRecv');
    audio.addOpusCodec(OPUS_PAYLOAD_TYPE);
    audio.addSSRC(ssrc, 'kith', 'kith-call', 'audio');
    const track = pc.addTrack(audio);
    const config = new ndc.RtpPacketizationConfig(ssrc, 'kith', OPUS_PAYLOAD_TYPE, 48_000);
    const packetizer = new ndc.RtpPacketizer(config);
    const reporter = new ndc.RtcpSrReporter(config);
    const receiving = new ndc.RtcpReceivingSession();
    packetizer.addToChain(reporter);
    packetizer.addToChain(receiving);
    track.setMediaHandler(packetizer);
    const peer: Peer = {
      pc,
      track,
      chain: [audio, config, packetizer, reporter, receiving],
      expected: undefined,
      early: [],
      up: false,
    };
    call.peers.set(e.peer, peer);
    const calls = this.#client.calls;
    const report = (p: Promise<unknown>): void => {
      p.catch((error: unknown) => this.#options.onError?.(error));
    };
    pc.onLocalDescription((sdp) => {
      report(calls.localDescription(e.callId, e.peer, sdp));
    });
    pc.onLocalCandidate((candidate, mid) => {
      report(calls.localCandidate(e.callId, e.peer, candidate, mid));
    });
    pc.onStateChange((state) => {
      if (state === 'connected') this.#connected(e.callId, e.peer, peer);
      else if (state === 'failed') report(calls.mediaState(e.callId, e.peer, false));
    });
    track.onMessage((packet) => {
      this.#received(key, e.callId, e.peer, packet);
    });
  }

  /** DTLS is up: the certificate must be the one the signalled SDP named. */
  #connected(callId: Uint8Array, device: DeviceId, peer: Peer): void {
    const presented = peer.pc.remoteFingerprint();
    const expected = peer.expected;
    const matches =
      presented.algorithm.toLowerCase() === expected?.algorithm &&
      presented.value.toUpperCase() === expected.value;
    if (!matches) {
      this.stats.fingerprintMismatches++;
      this.#closePeer(peer);
    } else peer.up = true;
    this.#client.calls.mediaState(callId, device, matches).catch((error: unknown) => {
      this.#options.onError?.(error);
    });
  }

  #received(key: string, callId: Uint8Array, peer: DeviceId, packet: Buffer): void {
    const payload = rtpPayload(packet, OPUS_PAYLOAD_TYPE);
    const call = this.#calls.get(key);
    if (payload === undefined || call === undefined) return;
    this.stats.rtpIn++;
    const opened = call.keys.decrypt(payload, undefined, Date.now());
    if (!opened.ok) {
      this.stats.refused++;
      return;
    }
    this.stats.decoded++;
    for (const h of this.#handlers) h({ callId, peer, frame: opened.plaintext });
  }

  /** Takes the room's current epoch as the call's SFrame keys (a member joined or left). */
  #refreshKeys(key: string): void {
    const call = this.#calls.get(key);
    if (call === undefined) return;
    const callId = Uint8Array.from(Buffer.from(key, 'hex'));
    this.#client.calls
      .sframeEpoch(callId)
      .then((input) => {
        if (input !== undefined) call.keys.addEpoch(input, Date.now());
      })
      .catch((error: unknown) => this.#options.onError?.(error));
  }

  /** A peer's candidate; one libdatachannel cannot use is dropped (ICE tries the others). */
  #candidate(peer: Peer, candidate: string, mid: string): void {
    try {
      peer.pc.addRemoteCandidate(candidate, mid);
    } catch (error) {
      this.#options.onError?.(error);
    }
  }

  #peer(key: string, device: DeviceId): Peer | undefined {
    return this.#calls.get(key)?.peers.get(device);
  }

  #closePeer(peer: Peer): void {
    peer.up = false;
    peer.track.close();
    peer.pc.close();
  }

  #fail(callId: Uint8Array, peer: DeviceId, error: unknown): void {
    this.#options.onError?.(error);
    this.#client.calls.mediaState(callId, peer, false).catch(() => undefined);
  }
}
