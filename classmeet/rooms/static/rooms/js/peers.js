// One RTCPeerConnection per remote peer, negotiated with the "perfect negotiation" pattern
// (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): either side may offer at any
// time; on a collision the polite side (the larger peerId) rolls back, the impolite one ignores.

const KINDS = ["audio", "video"];

// callbacks: { send(msg), localStream(), onTrack(peerId, stream), onState(peerId, state) }
export function createPeers(callbacks) {
  const sessions = new Map(); // peerId -> session
  let selfId = null;
  let rtcConfig = { iceServers: [] };

  function configure({ peerId, iceServers, iceTransportPolicy }) {
    selfId = peerId;
    rtcConfig = {
      iceServers: iceServers ?? [],
      iceTransportPolicy: iceTransportPolicy ?? "all",
      bundlePolicy: "max-bundle", // one transport per peer: fewer candidates, faster connect
    };
  }

  function addLocalMedia(pc, { initiate }) {
    const stream = callbacks.localStream();
    for (const kind of KINDS) {
      const track = stream.getTracks().find((t) => t.kind === kind);
      if (track) pc.addTrack(track, stream);
      // Without a local track of this kind, still ask to receive it. Only the offerer does:
      // an answerer's transceivers come from the offer.
      else if (initiate) pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }

  function ensure(peerId, { initiate }) {
    let s = sessions.get(peerId);
    if (s) return s;
    const pc = new RTCPeerConnection(rtcConfig);
    s = {
      peerId,
      pc,
      polite: selfId !== null && selfId > peerId,
      makingOffer: false,
      ignoreOffer: false,
      pendingCandidates: [],
      stream: new MediaStream(),
    };
    sessions.set(peerId, s);
    const session = s;

    pc.onnegotiationneeded = async () => {
      try {
        session.makingOffer = true;
        await pc.setLocalDescription();
        const d = pc.localDescription;
        callbacks.send({ type: d.type, to: peerId, sdp: d.sdp });
      } catch (err) {
        console.warn("classmeet: negotiation failed", err);
      } finally {
        session.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) {
        callbacks.send({ type: "ice-candidate", to: peerId, candidate: candidate.toJSON() });
      }
    };
    pc.ontrack = ({ track }) => {
      for (const old of session.stream.getTracks().filter((t) => t.kind === track.kind)) {
        session.stream.removeTrack(old);
      }
      session.stream.addTrack(track);
      callbacks.onTrack(peerId, session.stream);
    };
    pc.onconnectionstatechange = () => {
      callbacks.onState(peerId, pc.connectionState);
      if (pc.connectionState === "failed") pc.restartIce();
    };
    addLocalMedia(pc, { initiate });
    return s;
  }

  async function flushCandidates(s) {
    const queued = s.pendingCandidates.splice(0);
    for (const c of queued) {
      try {
        await s.pc.addIceCandidate(c);
      } catch (err) {
        if (!s.ignoreOffer) console.warn("classmeet: bad candidate", err);
      }
    }
  }

  async function handleDescription(from, description) {
    const s = ensure(from, { initiate: false });
    const pc = s.pc;
    try {
      const collision =
        description.type === "offer" && (s.makingOffer || pc.signalingState !== "stable");
      s.ignoreOffer = !s.polite && collision;
      if (s.ignoreOffer) return;
      if (description.type === "answer" && pc.signalingState !== "have-local-offer") return;
      await pc.setRemoteDescription(description); // rolls back our own offer if polite
      await flushCandidates(s);
      if (description.type === "offer") {
        await pc.setLocalDescription();
        const d = pc.localDescription;
        callbacks.send({ type: d.type, to: from, sdp: d.sdp });
      }
    } catch (err) {
      console.warn("classmeet: description failed", err);
    }
  }

  async function handleCandidate(from, candidate) {
    const s = sessions.get(from);
    if (!s) return;
    // Candidates may arrive before the offer/answer they belong to: keep them until then.
    if (!s.pc.remoteDescription) {
      s.pendingCandidates.push(candidate);
      return;
    }
    try {
      await s.pc.addIceCandidate(candidate);
    } catch (err) {
      if (!s.ignoreOffer) console.warn("classmeet: bad candidate", err);
    }
  }

  function remove(peerId) {
    const s = sessions.get(peerId);
    if (!s) return;
    sessions.delete(peerId);
    s.pc.onconnectionstatechange = null;
    s.pc.close();
  }

  function closeAll() {
    for (const peerId of [...sessions.keys()]) remove(peerId);
  }

  // After the signaling socket came back: keep healthy connections, repair the rest, and
  // connect to anybody new. `resumed`: the server kept our peerId, so the others kept theirs.
  function resync(participants, { resumed }) {
    const present = new Set(participants.map((p) => p.peerId));
    if (!resumed) closeAll();
    for (const peerId of [...sessions.keys()]) {
      if (!present.has(peerId)) remove(peerId);
    }
    for (const p of participants) {
      const s = sessions.get(p.peerId);
      if (!s) {
        ensure(p.peerId, { initiate: true });
      } else {
        repair(p.peerId);
      }
    }
  }

  // An offer may have been lost with the socket; an ICE path may have died meanwhile.
  function repair(peerId) {
    const s = sessions.get(peerId);
    if (!s) return;
    const pc = s.pc;
    if (pc.connectionState === "closed") {
      remove(peerId);
      ensure(peerId, { initiate: true });
      return;
    }
    if (pc.signalingState === "have-local-offer" && !s.makingOffer) {
      pc.setLocalDescription({ type: "rollback" })
        .then(() => pc.restartIce())
        .catch((err) => console.warn("classmeet: rollback failed", err));
      return;
    }
    if (pc.connectionState !== "connected" && pc.connectionState !== "new") pc.restartIce();
  }

  // Put a new local track (camera switch, screen share) on every connection.
  async function replaceTrack(kind, track) {
    const stream = callbacks.localStream();
    await Promise.all(
      [...sessions.values()].map(async ({ pc }) => {
        const sender = pc
          .getTransceivers()
          .find((t) => t.receiver.track?.kind === kind && !t.stopped)?.sender;
        if (sender && (sender.track || pc.getSenders().includes(sender))) {
          const transceiver = pc.getTransceivers().find((t) => t.sender === sender);
          await sender.replaceTrack(track);
          if (track && transceiver && !transceiver.direction.startsWith("send")) {
            if (transceiver.direction === "recvonly") transceiver.direction = "sendrecv";
            if (transceiver.direction === "inactive") transceiver.direction = "sendonly";
          }
          return;
        }
        if (track) pc.addTrack(track, stream);
      }),
    );
  }

  return {
    configure,
    ensure,
    handleDescription,
    handleCandidate,
    remove,
    closeAll,
    resync,
    repair,
    replaceTrack,
    connections() {
      return new Map([...sessions].map(([id, s]) => [id, s.pc]));
    },
    has(peerId) {
      return sessions.has(peerId);
    },
  };
}
