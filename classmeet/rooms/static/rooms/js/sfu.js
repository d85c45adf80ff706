// The SFU topology: when the server says `topology: sfu`, publish the local tracks to the
// meeting's Janus VideoRoom and receive every other participant's feed from it. All Janus
// signaling goes through the meeting socket (sfu-publish / sfu-published, sfu-subscribe /
// sfu-offer / sfu-start); Janus's candidates are in its SDP, ours follow ours (sfu-trickle).
// Message shapes: classmeet/rooms/protocol.py, docs/protocol.md.

const RETRY_MS = 700;
const MAX_RETRIES = 8;
const SLOW_RETRY_MS = 5000;
const SPEAKING_LEVEL = 0.02;
// Simulcast (VP8 in Chromium): full, half and quarter resolution. Janus forwards the best layer
// each subscriber's link carries; the publisher's bitrate cap (teacher high, students low, set
// by the server) decides which layers a student sends at all.
const SIMULCAST = [
  { rid: "h", scaleResolutionDownBy: 1 },
  { rid: "m", scaleResolutionDownBy: 2 },
  { rid: "l", scaleResolutionDownBy: 4 },
];

// Trickle ICE: the SDP goes at once, the candidates follow as `sfu-trickle` (after it, in
// order, on the same socket); `null` = gathering complete.
function trickle(pc, send, feedId) {
  let queue = [];
  pc.onicecandidate = ({ candidate }) => {
    const msg = { type: "sfu-trickle", feedId };
    if (candidate && candidate.candidate) msg.candidate = candidate.toJSON();
    else if (candidate) return; // an end-of-candidates marker of one m-line
    if (queue) queue.push(msg);
    else send(msg);
  };
  return () => {
    for (const msg of queue) send(msg);
    queue = null;
  };
}

// callbacks: { send(msg), localStream(), selfId(), onTrack(peerId, stream),
//   onState(peerId, state), onFlowing(), roleOf(peerId), setTileVideo(peerId, on, order, stream),
//   onFallback() (back to the mesh), onNotice(text) }
export function createSfu(callbacks) {
  let active = false;
  let maxStudentVideos = 9;
  let publisher = null; // RTCPeerConnection to Janus carrying our tracks
  let feedId = null; // ours, once published
  const subs = new Map(); // feedId -> { peerId, pc, stream, retries, lastSpoke }
  const screens = new Set(); // peerIds sharing their screen (media-state)
  let flowingTold = false;
  let socketLost = false; // the meeting socket dropped since we last published
  // performance.now() marks of the switch, for diagnostics (bench/bench_sfu.py prints them).
  const timings = { switched: null, offered: null, published: null, feed: null, flowing: null };
  let arrangeTimer = null;
  const rtcConfig = { iceServers: [], bundlePolicy: "max-bundle" };

  async function publish() {
    publisher?.close();
    const pc = new RTCPeerConnection(rtcConfig);
    publisher = pc;
    const stream = callbacks.localStream();
    if (!stream.getTracks().length) {
      // Receive-only participant: nothing to publish.
      pc.close();
      publisher = null;
      return;
    }
    for (const track of stream.getTracks()) {
      const init = { direction: "sendonly", streams: [stream] };
      if (track.kind === "video") init.sendEncodings = SIMULCAST;
      try {
        pc.addTransceiver(track, init);
      } catch (err) {
        // A browser without simulcast for this codec: one layer.
        console.warn("classmeet: simulcast unavailable", err);
        pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
      }
    }
    pc.onconnectionstatechange = () => checkFlowing();
    const flush = trickle(pc, callbacks.send, 0);
    await pc.setLocalDescription(await pc.createOffer());
    if (publisher !== pc) return;
    timings.offered ??= performance.now();
    callbacks.send({ type: "sfu-publish", sdp: pc.localDescription.sdp });
    flush();
  }

  async function onPublished(msg) {
    if (!publisher || publisher.signalingState !== "have-local-offer") return;
    feedId = msg.feedId;
    timings.published ??= performance.now();
    await publisher.setRemoteDescription({ type: "answer", sdp: msg.sdp });
  }

  function addFeed(feed) {
    if (!active || feed.peerId === callbacks.selfId() || subs.has(feed.feedId)) return;
    timings.feed ??= performance.now();
    for (const [id, sub] of subs) {
      if (sub.peerId === feed.peerId) dropFeed(id); // the same participant republished
    }
    subs.set(feed.feedId, {
      feedId: feed.feedId,
      peerId: feed.peerId,
      pc: null,
      stream: new MediaStream(),
      retries: 0,
      lastSpoke: 0,
    });
    callbacks.send({ type: "sfu-subscribe", feedId: feed.feedId });
  }

  async function onOffer(msg) {
    const sub = subs.get(msg.feedId);
    if (!sub) {
      callbacks.send({ type: "sfu-unsubscribe", feedId: msg.feedId });
      return;
    }
    sub.pc?.close();
    const pc = new RTCPeerConnection(rtcConfig);
    sub.pc = pc;
    sub.paused = false; // a new link: Janus sends everything
    pc.ontrack = ({ track }) => {
      for (const old of sub.stream.getTracks().filter((t) => t.kind === track.kind)) {
        sub.stream.removeTrack(old);
      }
      sub.stream.addTrack(track);
      callbacks.onTrack(sub.peerId, sub.stream);
      arrange();
    };
    pc.onconnectionstatechange = () => {
      if (sub.pc !== pc) return;
      callbacks.onState(sub.peerId, pc.connectionState);
      if (pc.connectionState === "connected") sub.retries = 0;
      if (pc.connectionState === "failed") resubscribe(msg.feedId, sub);
      checkFlowing();
    };
    const flush = trickle(pc, callbacks.send, msg.feedId);
    await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    if (sub.pc !== pc) return;
    callbacks.send({ type: "sfu-start", feedId: msg.feedId, sdp: pc.localDescription.sdp });
    flush();
  }

  // Janus refused a subscribe or a start for a feed (not up yet, or a hiccup): ask again.
  function onError(msg) {
    if (msg.code !== "sfu-unavailable" || !active) return;
    const id = Number(msg.detail?.[0]);
    const sub = subs.get(id);
    if (sub) resubscribe(id, sub);
  }

  // Ask for the feed again (not up yet at Janus, Janus hiccuped, or the link failed): quickly a
  // few times, then every few seconds for as long as that participant is in the room.
  function resubscribe(id, sub) {
    sub.retries += 1;
    const delay = sub.retries <= MAX_RETRIES ? RETRY_MS * sub.retries : SLOW_RETRY_MS;
    setTimeout(() => {
      if (subs.get(id) !== sub || !active) return;
      sub.pc?.close();
      sub.pc = null;
      callbacks.send({ type: "sfu-subscribe", feedId: id });
    }, delay);
  }

  // A video the grid does not play is not sent either: Janus pauses it (sfu-configure).
  function pauseVideo(sub, paused) {
    if (!sub.pc || sub.pc.connectionState !== "connected" || sub.paused === paused) return;
    const video = sub.pc.getTransceivers().find((t) => t.receiver.track.kind === "video");
    if (!video?.mid) return;
    sub.paused = paused;
    callbacks.send({ type: "sfu-configure", feedId: sub.feedId, mid: video.mid, send: !paused });
  }

  function dropFeed(id) {
    const sub = subs.get(id);
    if (!sub) return;
    subs.delete(id);
    sub.pc?.close();
    callbacks.send({ type: "sfu-unsubscribe", feedId: id });
  }

  function removePeer(peerId) {
    for (const [id, sub] of subs) if (sub.peerId === peerId) dropFeed(id);
    screens.delete(peerId);
  }

  // The mesh closes once our media reaches Janus and at least one feed comes back from it
  // (or everybody else is receive-only).
  function checkFlowing() {
    if (flowingTold || !active) return;
    const published = !publisher || publisher.connectionState === "connected";
    const receiving = [...subs.values()].some((s) => s.pc?.connectionState === "connected");
    if (published && (receiving || !subs.size) && (publisher || receiving)) {
      flowingTold = true;
      timings.flowing = performance.now();
      callbacks.onFlowing();
    }
  }

  // Grid: teacher first, then screen shares, then the last active speakers; at most
  // `maxStudentVideos` student videos play, the rest show their name (audio keeps playing).
  async function arrange() {
    const entries = [...subs.values()];
    await Promise.all(
      entries.map(async (sub) => {
        if (!sub.pc) return;
        const stats = await sub.pc.getStats().catch(() => null);
        stats?.forEach((r) => {
          if (r.type === "inbound-rtp" && r.kind === "audio" && r.audioLevel > SPEAKING_LEVEL) {
            sub.lastSpoke = performance.now();
          }
        });
      }),
    );
    const rank = (sub) => {
      if (callbacks.roleOf(sub.peerId) === "teacher") return 0;
      if (screens.has(sub.peerId)) return 1;
      return 2;
    };
    entries.sort((a, b) => rank(a) - rank(b) || b.lastSpoke - a.lastSpoke);
    let students = 0;
    entries.forEach((sub, order) => {
      const student = rank(sub) === 2;
      const on = !student || students < maxStudentVideos;
      if (student && on) students += 1;
      callbacks.setTileVideo(sub.peerId, on, order, sub.stream);
      pauseVideo(sub, !on);
    });
  }

  function closeLinks() {
    publisher?.close();
    publisher = null;
    for (const sub of subs.values()) sub.pc?.close();
    subs.clear();
  }

  function stop() {
    clearInterval(arrangeTimer);
    closeLinks();
    active = false;
    socketLost = false;
    flowingTold = false;
  }

  return {
    get active() {
      return active;
    },
    async onTopology(msg) {
      maxStudentVideos = msg.maxStudentVideos ?? maxStudentVideos;
      if (msg.notice) callbacks.onNotice(msg.notice);
      if (msg.mode !== "sfu") {
        if (!active) return;
        // Janus is lost and the room is small: back to peer to peer.
        stop();
        callbacks.onFallback();
        return;
      }
      if (msg.reason === "sfu-lost") {
        // Janus is lost: its links are dead; wait for `sfu-back` to publish anew.
        active = true;
        closeLinks();
        socketLost = true;
        return;
      }
      if (active && !socketLost && msg.reason !== "sfu-back") {
        for (const feed of msg.feeds ?? []) addFeed(feed); // a repeat: nothing to redo
        return;
      }
      if (active) {
        // The socket came back or Janus restarted: the server's Janus session is new,
        // publish and subscribe anew.
        for (const id of [...subs.keys()]) dropFeed(id);
        socketLost = false;
      } else {
        active = true;
        flowingTold = false;
        timings.switched = performance.now();
        arrangeTimer = setInterval(arrange, 1000);
      }
      await publish();
      for (const feed of msg.feeds ?? []) addFeed(feed);
    },
    onSocketLost() {
      socketLost = true;
    },
    onPublished,
    addFeed,
    onOffer,
    onError,
    removePeer,
    setScreen(peerId, on) {
      if (on) screens.add(peerId);
      else screens.delete(peerId);
    },
    async replaceTrack(kind, track) {
      const sender = publisher?.getSenders().find((s) => s.track?.kind === kind);
      if (sender) await sender.replaceTrack(track);
    },
    closeAll: stop,
    // peerId -> RTCPeerConnection carrying that participant's media (ours under "local"), for
    // the active-speaker levels of controls.js.
    mediaConnections() {
      const found = new Map();
      if (publisher) found.set("local", publisher);
      for (const sub of subs.values()) if (sub.pc) found.set(sub.peerId, sub.pc);
      return found;
    },
    connections() {
      return {
        publisher,
        feedId,
        timings,
        subscribers: new Map([...subs].map(([id, s]) => [id, { peerId: s.peerId, pc: s.pc }])),
      };
    },
  };
}
