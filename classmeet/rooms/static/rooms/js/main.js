// The live room page: reads data-* attributes and wires signaling, peers, media and the UI.
import { createSignaling, socketUrl } from "./signaling.js";
import { createPeers } from "./peers.js";
import { createSfu } from "./sfu.js";
import {
  acquireMedia,
  listDevices,
  openDevice,
  releaseAllMedia,
  startScreenShare,
  swapTrack,
  toggleKind,
} from "./media.js";
import * as ui from "./ui.js";
import { initChat } from "./chat.js";
import { initReactions } from "./reactions.js";
import { initControls } from "./controls.js";
import { initLocks } from "./locks.js";
import { initPolls } from "./polls.js";
import { initRecorder } from "../../recordings/js/recorder.js";
import { initStage } from "./stage.js";
import { createEnding } from "./ending.js";
import { initWaiting, initWaitingList } from "./lobby.js";
import { initShortcuts } from "./shortcuts.js";
import { createLater } from "./later.js";
import { announce } from "./announce.js";
import { gettext, interpolate, ngettext } from "../../core/js/i18n.js";

const root = document.getElementById("room");

function text(key) {
  return root.dataset[key] ?? "";
}

// Bootstrap's script, then app.js and the bell (later.js): once a remote video flows, or once
// `welcome` shows nobody to connect to; at the latest after these delays.
const later = createLater({
  bootstrapSrc: text("bootstrapScript"),
  modules: text("laterModules").split(" ").filter(Boolean),
  bootstrapLatestMs: 1000,
  modulesLatestMs: 3000,
});

async function main() {
  ui.initUi(root);
  const names = new Map(); // peerId -> display name (from the server, never from peers)
  const localStream = new MediaStream();
  let cameraTrack = null;
  let screenTrack = null;

  // Milliseconds since navigation start, for diagnostics (bench/bench_join.py prints them); the
  // same moments are also `performance.mark`s named `classmeet:<step>`.
  const mark = (step) => {
    performance.mark(`classmeet:${step}`);
    return performance.now();
  };
  const timings = { start: mark("start"), media: null, socket: null, welcome: null, firstOffer: null };
  timings.connected = {}; // peerId -> first "connected"
  const states = []; // the socket's state changes, in order
  // A remote stream on its tile. The call is up once a remote video flows (its track unmutes
  // with the first packets): what it did not need is loaded then (later.js), not while the
  // first frames are decoded and shown.
  function showRemote(peerId, stream) {
    ui.setTileStream(peerId, names.get(peerId) ?? "", stream);
    for (const track of stream.getVideoTracks()) {
      if (!track.muted) later.all();
      else track.addEventListener("unmute", () => later.all(), { once: true });
    }
  }
  const signaling = createSignaling(socketUrl(root.dataset.wsPath), {
    giveUpMs: Number(root.dataset.reconnectGiveUpMs) || undefined,
  });
  // The socket opens first, before the rest of the page is wired (~40 ms of script on a busy
  // core): its handshake and the server's entry check run meanwhile. No frame is missed: every
  // handler below is registered in this same task, before the socket can deliver anything.
  signaling.start();
  let mediaSettled = false; // getUserMedia has answered (with tracks or without)
  const peers = createPeers({
    send: (msg) => {
      if (msg.type === "offer") timings.firstOffer ??= mark("first-offer");
      signaling.send(msg);
    },
    localStream: () => localStream,
    mediaPending: () => !mediaSettled,
    onTrack: showRemote,
    onState: (peerId, state) => {
      ui.setTileState(peerId, state);
      if (state === "connected") timings.connected[peerId] ??= mark(`connected-${peerId}`);
    },
  });

  // SFU topology (sfu.js): takes over from the mesh when the server says `topology: sfu`.
  const roles = new Map(); // peerId -> role
  const sfu = createSfu({
    send: (msg) => signaling.send(msg),
    localStream: () => localStream,
    selfId: () => signaling.peerId,
    onTrack: showRemote,
    onState: (peerId, state) => ui.setTileState(peerId, state),
    onFlowing: () => peers.closeAll(), // SFU media flows: the mesh is no longer needed
    roleOf: (peerId) => roles.get(peerId) ?? "",
    setTileVideo: (peerId, on, order, stream) => ui.setTileVideo(peerId, on, order, stream),
    onNotice: (notice) => ui.showMediaBanner(notice),
    onFallback: () => {
      // Janus lost, the room is small: every tile shows video again, links go peer to peer.
      for (const peerId of names.keys()) ui.setTileVideo(peerId, true, 0, new MediaStream());
      const participants = [...names.keys()].map((peerId) => ({ peerId }));
      peers.resync(participants, { resumed: false, together: true });
    },
  });

  // Diagnostics for tests and support: the live connections, read-only.
  window.classmeetRoom = {
    get peerId() {
      return signaling.peerId;
    },
    get state() {
      return signaling.state;
    },
    connections: () => peers.connections(),
    meshDebug: () => peers.debug(),
    sfu: () => sfu.connections(),
    get topology() {
      return sfu.active ? "sfu" : "mesh";
    },
    dropSocket: () => signaling.dropForTest(),
    timings,
    states,
  };

  // The camera and the socket start at the same time and the mesh does not wait for the camera:
  // connections are negotiated with audio and video transceivers whose tracks are put in with
  // `replaceTrack` when getUserMedia answers (peers.attachLocalMedia), so joining costs
  // max(getUserMedia, signaling + ICE) instead of their sum. Only the SFU waits (it publishes).
  const mediaReady = acquireMedia().then((media) => {
    timings.media = mark("media");
    if (ending.ended) return media; // the room ended while the camera was starting
    for (const track of media.stream.getTracks()) localStream.addTrack(track);
    mediaSettled = true;
    peers.attachLocalMedia();
    cameraTrack = localStream.getVideoTracks()[0] ?? null;
    root.dataset.mediaMode = media.mode;
    if (media.mode === "audio-only") ui.showMediaBanner(text("msgAudioOnly"));
    if (media.mode === "video-only") ui.showMediaBanner(text("msgVideoOnly"));
    if (media.mode === "receive-only") ui.showMediaBanner(text("msgReceiveOnly"));
    ui.setLocalStream(localStream);
    ui.setPressed("btn-mic", false, !localStream.getAudioTracks().length);
    ui.setPressed("btn-camera", false, !cameraTrack);
    refreshDevices();
    return media;
  });
  // The server sends `topology: sfu` before `welcome` when the room is already on the SFU: note
  // it at once, so that `welcome` (which no longer waits for the camera) starts no mesh links.
  let roomOnSfu = false;
  const onSfu = () => sfu.active || roomOnSfu;

  // Never a tile nor a link for this tab's own previous page (a reload's ghost, until the
  // server has handled its close).
  const isOther = (peerId) => !signaling.wasOwn(peerId);

  function addParticipant(p) {
    if (!isOther(p.peerId)) return;
    names.set(p.peerId, p.name);
    if (p.role) roles.set(p.peerId, p.role);
    ui.addParticipant(p.peerId, p.name, p.role);
    ui.addTile(p.peerId, p.name);
  }

  function removePeer(peerId) {
    names.delete(peerId);
    roles.delete(peerId);
    peers.remove(peerId);
    sfu.removePeer(peerId);
    ui.removeTile(peerId);
    ui.removeParticipant(peerId);
  }

  signaling.on("open", ({ at }) => {
    timings.socket ??= at ?? mark("socket"); // at: when early.js's socket opened
  });
  signaling.on("welcome", (msg) => {
    timings.welcome ??= mark("welcome");
    peers.configure(msg);
    if (!msg.resumed) {
      names.clear();
      ui.clearRemote();
    }
    const participants = msg.participants.filter((p) => isOther(p.peerId));
    for (const known of [...names.keys()]) {
      if (!participants.some((p) => p.peerId === known)) removePeer(known);
    }
    for (const p of participants) addParticipant(p);
    if (onSfu()) peers.closeAll(); // the room is on the SFU: no mesh at all
    else peers.resync(participants, { resumed: msg.resumed });
    ui.setReconnecting(false);
    if (msg.resumed) announce(gettext("Reconnected."));
    else {
      const others = names.size;
      announce(
        interpolate(
          ngettext(
            "You joined the class. %(count)s other person is here.",
            "You joined the class. %(count)s other people are here.",
            others,
          ),
          { count: others },
        ),
      );
    }
    root.dataset.joined = "true";
    if (!names.size) later.bootstrap(); // no link to wait for
  });
  signaling.on("user-joined", (msg) => {
    if (!isOther(msg.peerId)) return;
    const known = names.has(msg.peerId);
    addParticipant(msg);
    if (msg.resumed) peers.repair(msg.peerId);
    if (!msg.resumed && !known) {
      announce(interpolate(gettext("%(name)s joined"), { name: msg.name }), {
        group: "joined",
        many: (count) =>
          interpolate(ngettext("%(count)s person joined", "%(count)s people joined", count), { count }),
      });
    }
  });
  signaling.on("user-left", (msg) => {
    const name = names.get(msg.peerId);
    removePeer(msg.peerId);
    if (!name) return;
    announce(interpolate(gettext("%(name)s left"), { name }), {
      group: "left",
      many: (count) =>
        interpolate(ngettext("%(count)s person left", "%(count)s people left", count), { count }),
    });
  });
  const onDescription = async (msg) => {
    if (onSfu() && !peers.has(msg.from)) return; // no new mesh links once on the SFU
    if (!isOther(msg.from)) return;
    if (!names.has(msg.from)) addParticipant({ peerId: msg.from, name: msg.fromName, role: "" });
    await peers.handleDescription(msg.from, { type: msg.type, sdp: msg.sdp });
  };
  signaling.on("offer", onDescription);
  signaling.on("answer", onDescription);
  signaling.on("ice-candidate", async (msg) => {
    await peers.handleCandidate(msg.from, msg.candidate);
  });
  signaling.on("error", (msg) => {
    console.warn("classmeet: server error", msg.code, msg.message);
    sfu.onError(msg);
  });
  signaling.on("topology", async (msg) => {
    roomOnSfu = msg.mode === "sfu";
    await mediaReady;
    await sfu.onTopology(msg);
  });
  signaling.on("sfu-published", (msg) => sfu.onPublished(msg));
  signaling.on("sfu-feed", (msg) => {
    if (isOther(msg.peerId)) sfu.addFeed(msg);
  });
  signaling.on("sfu-offer", (msg) => sfu.onOffer(msg));
  signaling.on("media-state", (msg) => sfu.setScreen(msg.peerId, msg.screen));
  signaling.on("state", ({ state, reason }) => {
    states.push(state);
    ui.setReconnecting(state === "reconnecting");
    if (state === "reconnecting") announce(gettext("The connection was lost. Reconnecting…"));
    if (state === "reconnecting") sfu.onSocketLost();
    if (state === "refused") {
      root.dataset.refused = reason;
      ending.endRoom({ kind: reason }); // signaling's REFUSED names are end kinds
    }
    if (state === "failed") ending.endRoom({ kind: "lost" });
  });
  signaling.on("removed", (msg) => ending.endRoom({ kind: "removed", reason: msg.reason }));
  signaling.on("meeting-ended", (msg) => ending.endRoom({ kind: "ended", reason: msg.reason }));
  // The classroom: chat, hands, media state, teacher controls (see chat.js and controls.js).
  const classroom = document.getElementById("classroom");
  if (classroom) {
    initChat({ box: classroom, signaling });
    initControls({
      box: classroom,
      signaling,
      connections: () => (sfu.active ? sfu.mediaConnections() : peers.connections()),
    });
    initLocks({
      box: document.getElementById("room-locks"),
      signaling,
      localStream: () => localStream,
      connections: () => (sfu.active ? sfu.mediaConnections() : peers.connections()),
    });
  }
  // Reactions: the menu in the control bar, floating on the sender's tile (reactions.js).
  initReactions({ box: document.getElementById("reactions"), signaling });
  // Polls and live quizzes: the card over the stage, the staff's form (polls.js).
  initPolls({ signaling });
  // Recordings: the indicator for everybody, the Record button for the teacher (recorder.js).
  const recorder = initRecorder({
    box: document.getElementById("recorder"),
    signaling,
    localStream,
    cameraTrack: () => cameraTrack,
    screenTrack: () => screenTrack,
  });
  // The stage's layout: presentation, pinning, full screen, the side panel's badges (stage.js).
  const stage = initStage({ root, signaling });
  // The end of the room for this page (ending.js): media released, the end screen shown.
  const ending = createEnding({
    root,
    screen: document.getElementById("room-end"),
    signaling,
    peers,
    sfu,
    recorder,
    releaseMedia: releaseAllMedia,
    layout: stage,
  });
  // Keyboard shortcuts and their dialog (shortcuts.js).
  initShortcuts({ root });
  // The waiting room (lobby.js): a student's waiting page, the staff's list of who knocks.
  initWaiting({ root, signaling, onLeave: () => ending.endRoom({ kind: "left" }) });
  const waitingList = initWaitingList({ signaling });
  window.classmeetRoom.waitingList = () => waitingList;
  signaling.on("denied", (msg) => ending.endRoom({ kind: "denied", reason: msg.reason }));

  // Controls ----------------------------------------------------------------------------------
  document.getElementById("btn-mic").addEventListener("click", () => {
    const enabled = toggleKind(localStream, "audio");
    if (enabled !== null) ui.setPressed("btn-mic", !enabled);
  });
  document.getElementById("btn-camera").addEventListener("click", () => {
    if (!cameraTrack) return;
    cameraTrack.enabled = !cameraTrack.enabled;
    ui.setPressed("btn-camera", !cameraTrack.enabled);
  });
  // No screen sharing where the browser cannot (phones): no button that can only fail.
  const screenButton = document.getElementById("btn-screen");
  if (!navigator.mediaDevices?.getDisplayMedia) {
    screenButton.hidden = true;
    screenButton.disabled = true;
  }
  screenButton.addEventListener("click", async () => {
    if (screenTrack) {
      screenTrack.stop();
      await stopSharing();
      return;
    }
    try {
      screenTrack = await startScreenShare();
    } catch (err) {
      console.warn("classmeet: screen share refused", err);
      return;
    }
    if (ending.ended) return; // the room ended while the picker was open (track already stopped)
    screenTrack.addEventListener("ended", stopSharing);
    await peers.replaceTrack("video", screenTrack);
    await sfu.replaceTrack("video", screenTrack);
    ui.setLocalStream(new MediaStream([screenTrack]), { screen: true });
    ui.setPressed("btn-screen", true);
    stage.setLocalScreen(true);
  });
  async function stopSharing() {
    if (!screenTrack) return;
    screenTrack = null;
    await peers.replaceTrack("video", cameraTrack);
    await sfu.replaceTrack("video", cameraTrack);
    ui.setLocalStream(localStream);
    ui.setPressed("btn-screen", false);
    stage.setLocalScreen(false);
  }
  document.getElementById("btn-leave").addEventListener("click", () => {
    ending.endRoom({ kind: "left" });
  });
  window.addEventListener("pagehide", leave);
  function leave() {
    if (signaling.state === "left") return;
    signaling.leave();
    peers.closeAll();
    sfu.closeAll();
    for (const track of localStream.getTracks()) track.stop();
    screenTrack?.stop();
  }

  // Device picker ------------------------------------------------------------------------------
  async function refreshDevices() {
    const { cameras, microphones } = await listDevices();
    const current = (kind) =>
      localStream.getTracks().find((t) => t.kind === kind)?.getSettings().deviceId;
    ui.fillDeviceSelect("camera-select", cameras, current("video"));
    ui.fillDeviceSelect("mic-select", microphones, current("audio"));
  }
  async function chooseDevice(kind, deviceId) {
    try {
      const track = await openDevice(kind, deviceId);
      if (ending.ended) return; // the room ended meanwhile (the track is already stopped)
      swapTrack(localStream, kind, track);
      if (kind === "video") {
        cameraTrack = track;
        if (!screenTrack) {
          await peers.replaceTrack("video", track);
          await sfu.replaceTrack("video", track);
        }
      } else {
        await peers.replaceTrack("audio", track);
        await sfu.replaceTrack("audio", track);
      }
      ui.setLocalStream(localStream);
      ui.setPressed(kind === "video" ? "btn-camera" : "btn-mic", false);
    } catch (err) {
      console.warn("classmeet: device switch failed", err);
    }
  }
  document
    .getElementById("camera-select")
    .addEventListener("change", (e) => chooseDevice("video", e.target.value));
  document
    .getElementById("mic-select")
    .addEventListener("change", (e) => chooseDevice("audio", e.target.value));
  navigator.mediaDevices?.addEventListener?.("devicechange", refreshDevices);
}

main().catch((err) => {
  console.error("classmeet: room failed to start", err);
  ui.showError(text("msgFailed"));
});
