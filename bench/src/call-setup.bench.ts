import ndc from 'node-datachannel';
import { NodeCallMedia, type KithNode } from '@kith/node';
import { goal, median, report, type Measurement } from './measure.ts';
import { openDevice, roomOf, TempDirs, waitUntil } from './node-fixtures.ts';

/** Frames are offered every few ms from the start, so the first one goes as soon as media can. */
const FRAME_EVERY_MS = 5;
const FRAME = new Uint8Array(160).fill(9);

/**
 * Call setup on loopback, invite to the first audio frame decoded on the callee: two KithNodes
 * in a DM (the callee answers as soon as it rings; signalling over MLS and gossipsub, media
 * through `NodeCallMedia`, SFrame on every frame), against two raw node-datachannel peer
 * connections in this process whose SDP and candidates are handed over directly (the same
 * audio track and packetiser, no signalling, no SFrame).
 */
export async function benchCallSetup(quick: boolean): Promise<void> {
  const rounds = quick ? 3 : 7;
  const dirs = new TempDirs();
  const nodes = [
    await openDevice(await dirs.make('call-a'), 'alice'),
    await openDevice(await dirs.make('call-b'), 'bob'),
  ];
  const [alice, bob] = nodes as [KithNode, KithNode];
  const ma = new NodeCallMedia(alice.client, { bindAddress: '127.0.0.1' });
  const mb = new NodeCallMedia(bob.client, { bindAddress: '127.0.0.1' });
  try {
    const roomId = await roomOf(nodes, 60_000);
    bob.client.on('call', (e) => {
      if (e.view.phase === 'incoming') void bob.client.calls.accept(e.view.callId);
    });
    const kith: number[] = [];
    const raw: number[] = [];
    /** Rounds whose callee decoded no frame in time: reported, not hidden, and not timed. */
    const failed: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const start = process.hrtime.bigint();
      const started = await alice.client.calls.start(roomId);
      if (!started.ok) throw new Error(`call refused: ${started.refusal}`);
      let first = false;
      const off = mb.onFrame(() => {
        first ||= true;
      });
      const timer = setInterval(() => ma.sendFrame(started.callId, FRAME), FRAME_EVERY_MS);
      try {
        await waitUntil(
          'the first frame on the callee',
          30_000,
          () => first,
          (recheck) => mb.onFrame(recheck),
        );
        kith.push(Number(process.hrtime.bigint() - start));
      } catch (error) {
        failed.push(
          `round ${round + 1}: ${error instanceof Error ? error.message : String(error)}`,
        );
      } finally {
        clearInterval(timer);
        off();
      }
      const ended = (node: KithNode): Promise<void> =>
        waitUntil(
          'the call to end',
          10_000,
          () => node.client.calls.current() === undefined,
          (recheck) => node.client.on('call', recheck),
        );
      await alice.client.calls.hangup(started.callId);
      await Promise.all([ended(alice), ended(bob)]);
      raw.push(await rawSetup());
    }
    for (const f of failed) console.log(`call setup: ${f} (the call did not connect)`);
    if (kith.length === 0) {
      console.log(`call setup: no call of ${rounds} connected; nothing to measure`);
      return;
    }
    const rows: [Measurement, Measurement][] = [
      [median('invite → first frame decoded', kith), median('raw WebRTC → first RTP', raw)],
    ];
    report(
      `Call setup, 1:1 audio on loopback (median of ${kith.length} of ${rounds} calls)`,
      rows,
      'ms',
    );
    const ratio = (rows[0]?.[0].nsPerOp ?? 0) / (rows[0]?.[1].nsPerOp ?? 1);
    goal('call setup against raw WebRTC setup', ratio, { below: 1.5 }, '×');
  } finally {
    ma.close();
    mb.close();
    for (const n of nodes) await n.close();
    await dirs.removeAll();
  }
}

/** Two raw peer connections, signalled by hand: start to the first RTP packet received. */
async function rawSetup(): Promise<number> {
  const config = { iceServers: [], bindAddress: '127.0.0.1' };
  const a = new ndc.PeerConnection('raw-a', config);
  const b = new ndc.PeerConnection('raw-b', config);
  const keep: unknown[] = [];
  const track = (pc: ndc.PeerConnection, ssrc: number) => {
    const audio = new ndc.Audio('0', 'SendRecv');
    audio.addOpusCodec(111);
    audio.addSSRC(ssrc, 'raw', 'raw', 'audio');
    const t = pc.addTrack(audio);
    const rtp = new ndc.RtpPacketizationConfig(ssrc, 'raw', 111, 48_000);
    const packetizer = new ndc.RtpPacketizer(rtp);
    packetizer.addToChain(new ndc.RtcpSrReporter(rtp));
    packetizer.addToChain(new ndc.RtcpReceivingSession());
    t.setMediaHandler(packetizer);
    keep.push(audio, rtp, packetizer);
    return t;
  };
  const start = process.hrtime.bigint();
  a.onLocalDescription((sdp, type) => {
    b.setRemoteDescription(sdp, type);
  });
  b.onLocalDescription((sdp, type) => {
    a.setRemoteDescription(sdp, type);
  });
  a.onLocalCandidate((c, mid) => {
    b.addRemoteCandidate(c, mid);
  });
  b.onLocalCandidate((c, mid) => {
    a.addRemoteCandidate(c, mid);
  });
  const ta = track(a, 1111);
  const tb = track(b, 2222);
  let first = false;
  const arrived: (() => void)[] = [];
  tb.onMessage(() => {
    first = true;
    for (const f of arrived) f();
  });
  a.setLocalDescription('offer');
  const timer = setInterval(() => {
    if (ta.isOpen()) ta.sendMessageBinary(Buffer.from(FRAME));
  }, FRAME_EVERY_MS);
  try {
    await waitUntil(
      'the first raw RTP packet',
      30_000,
      () => first,
      (recheck) => {
        arrived.push(recheck);
        return () => undefined;
      },
    );
    return Number(process.hrtime.bigint() - start);
  } finally {
    clearInterval(timer);
    ta.close();
    tb.close();
    a.close();
    b.close();
    keep.length = 0;
  }
}
