// One RTCPeerConnection per remote peer, negotiated with the "perfect negotiation" pattern
// (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example): either side may offer at any
// time; on a collision the polite side (the larger peerId) rolls back, the impolite one ignores.

const KINDS = ["audio", "video"];
// A link whose ICE has not even started this long after its last negotiation step is negotiated
// again (an offer or answer lost with a socket, or a glare that left both sides waiting). A link
// that is connecting is left to ICE (a failure restarts it, below).
const STUCK_MS = 10000;
const WATCH_MS = 2000;

// callbacks: { send(msg), localStream(), mediaPending(), onTrack(peerId, stream),
//   onState(peerId, state) }. While mediaPending() is true (getUserMedia has not answered yet)
// connections are negotiated to send both kinds with no track yet; attachLocalMedia() then puts
// the tracks in, or turns the kinds that never came into receive-only.
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

  // Keep the last few negotiation events of a link: what support and tests look at when a
  // link does not connect.
  function note(s, event) {
    s.trail.push(`${Math.round(performance.now())} ${event} ${s.pc.signalingState}`);
    if (s.trail.length > 16) s.trail.shift();
  }

  const localTrack = (kind) => callbacks.localStream().getTracks().find((t) => t.kind === kind);
  const kindOf = (transceiver) => transceiver.receiver.track?.kind;

  function addLocalMedia(pc, { initiate }) {
    const stream = callbacks.localStream();
    const pending = callbacks.mediaPending();
    for (const kind of KINDS) {
      const track = localTrack(kind);
      if (track) pc.addTrack(track, stream);
      // Without a local track of this kind, still ask to receive it (and to send it, if the
      // camera may still come). Only the offerer does: an answerer's transceivers come from the
      // offer (prepareAnswer).
      else if (initiate) {
        const direction = pending ? "sendrecv" : "recvonly";
        pc.addTransceiver(kind, { direction, streams: [stream] });
      }
    }
  }

  // Answering an offer: a kind we may send (a track, or getUserMedia still pending) is answered
  // sendrecv, so the track needs no new negotiation when it arrives.
  async function prepareAnswer(pc) {
    const pending = callbacks.mediaPending();
    const transceivers = pc.getTransceivers().filter((t) => !t.stopped);
    // After a collision the polite side rolled its own offer back: the transceivers it had
    // added without a track are not reused for the incoming offer's sections (only addTrack's
    // are), so drop them rather than offer a second audio and video section later.
    for (const transceiver of transceivers) {
      const kind = kindOf(transceiver);
      if (transceiver.mid === null && transceivers.some((t) => t.mid && kindOf(t) === kind)) {
        transceiver.stop();
      }
    }
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.stopped || transceiver.sender.track) continue;
      const track = localTrack(kindOf(transceiver));
      if (track) await transceiver.sender.replaceTrack(track);
      if (track || pending) sendAlso(transceiver);
    }
  }

  function sendAlso(transceiver) {
    if (transceiver.direction === "recvonly") transceiver.direction = "sendrecv";
    if (transceiver.direction === "inactive") transceiver.direction = "sendonly";
  }

  function receiveOnly(transceiver) {
    if (transceiver.direction === "sendrecv") transceiver.direction = "recvonly";
    if (transceiver.direction === "sendonly") transceiver.direction = "inactive";
  }

  // getUserMedia answered: put its tracks on every connection; a kind it did not give stops
  // being offered for sending (one renegotiation, only when a device is missing or refused).
  async function attachLocalMedia() {
    await Promise.all(
      [...sessions.values()].flatMap(({ pc }) =>
        pc.getTransceivers().map(async (transceiver) => {
          if (transceiver.stopped || transceiver.sender.track) return;
          const track = localTrack(kindOf(transceiver));
          if (!track) {
            receiveOnly(transceiver);
            return;
          }
          await transceiver.sender.replaceTrack(track);
          sendAlso(transceiver);
        }),
      ),
    );
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
      activity: performance.now(), // the last negotiation step or state change
      trail: [], // the last negotiation events, for diagnostics (debug())
      candidates: { sent: 0, received: 0, refused: 0 },
    };
    sessions.set(peerId, s);
    const session = s;

    pc.onnegotiationneeded = async () => {
      try {
        session.activity = performance.now();
        session.makingOffer = true;
        note(session, "negotiationneeded");
        await pc.setLocalDescription();
        const d = pc.localDescription;
        callbacks.send({ type: d.type, to: peerId, sdp: d.sdp });
        note(session, `sent ${d.type}`);
      } catch (err) {
        note(session, `negotiation failed: ${err}`);
        console.warn("classmeet: negotiation failed", err);
      } finally {
        session.makingOffer = false;
      }
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && candidate.candidate) {
        session.candidates.sent += 1;
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
      session.activity = performance.now();
      note(session, `connection ${pc.connectionState}`);
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
        s.candidates.refused += 1;
        if (!s.ignoreOffer) console.warn("classmeet: bad candidate", err);
      }
    }
  }

  async function handleDescription(from, description) {
    const s = ensure(from, { initiate: false });
    const pc = s.pc;
    s.activity = performance.now();
    try {
      const collision =
        description.type === "offer" && (s.makingOffer || pc.signalingState !== "stable");
      s.ignoreOffer = !s.polite && collision;
      note(s, `got ${description.type}${s.ignoreOffer ? " (ignored)" : ""}`);
      if (s.ignoreOffer) return;
      if (description.type === "answer" && pc.signalingState !== "have-local-offer") return;
      await pc.setRemoteDescription(description); // rolls back our own offer if polite
      await flushCandidates(s);
      if (description.type === "offer") {
        await prepareAnswer(pc);
        await pc.setLocalDescription();
        const d = pc.localDescription;
        callbacks.send({ type: d.type, to: from, sdp: d.sdp });
        note(s, `sent ${d.type}`);
      }
    } catch (err) {
      note(s, `description failed: ${err}`);
      console.warn("classmeet: description failed", err);
    }
  }

  async function handleCandidate(from, candidate) {
    const s = sessions.get(from);
    if (!s) return;
    s.candidates.received += 1;
    // Candidates may arrive before the offer/answer they belong to: keep them until then.
    if (!s.pc.remoteDescription) {
      s.pendingCandidates.push(candidate);
      return;
    }
    try {
      await s.pc.addIceCandidate(candidate);
    } catch (err) {
      s.candidates.refused += 1;
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
  // `together`: every participant resyncs at the same moment (the room went back to the mesh):
  // only the side with the smaller peerId offers, so that no two offers cross. Chromium can
  // leave a polite side that rolled its own offer back gathering no candidates at all.
  function resync(participants, { resumed, together = false }) {
    const present = new Set(participants.map((p) => p.peerId));
    if (!resumed) closeAll();
    for (const peerId of [...sessions.keys()]) {
      if (!present.has(peerId)) remove(peerId);
    }
    for (const p of participants) {
      const s = sessions.get(p.peerId);
      if (!s) {
        if (!together || selfId < p.peerId) ensure(p.peerId, { initiate: true });
      } else {
        repair(p.peerId);
      }
    }
  }

  // Offer again with an ICE restart (onnegotiationneeded makes and sends the offer), after
  // rolling back an offer of ours that never got its answer.
  function restart(s) {
    const pc = s.pc;
    if (pc.signalingState !== "have-local-offer") {
      pc.restartIce();
      return;
    }
    pc.setLocalDescription({ type: "rollback" })
      .then(() => pc.restartIce())
      .catch((err) => console.warn("classmeet: rollback failed", err));
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
      restart(s);
      return;
    }
    if (pc.connectionState !== "connected" && pc.connectionState !== "new") pc.restartIce();
  }

  // A stuck link (see STUCK_MS) is offered again, whatever left it stuck. Only its impolite side
  // does, so that the two sides never offer at once (see resync).
  setInterval(() => {
    const now = performance.now();
    for (const s of sessions.values()) {
      const stuck = s.pc.connectionState === "new" && now - s.activity > STUCK_MS;
      if (stuck && !s.polite && !s.makingOffer && s.pc.getTransceivers().length) {
        s.activity = now;
        note(s, "stuck: offering again");
        restart(s);
      }
    }
  }, WATCH_MS);

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
          if (track && transceiver) sendAlso(transceiver);
          return;
        }
        if (track) pc.addTrack(track, stream);
      }),
    );
  }

  return {
    configure,
    attachLocalMedia,
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
    // peerId -> the link's states and its last negotiation events (diagnostics).
    debug() {
      return Object.fromEntries(
        [...sessions].map(([id, s]) => [
          id,
          {
            connection: s.pc.connectionState,
            signaling: s.pc.signalingState,
            ice: `${s.pc.iceGatheringState}/${s.pc.iceConnectionState}`,
            candidates: s.candidates,
            pending: s.pendingCandidates.length,
            polite: s.polite,
            makingOffer: s.makingOffer,
            transceivers: s.pc.getTransceivers().length,
            trail: s.trail,
          },
        ]),
      );
    },
  };
}
