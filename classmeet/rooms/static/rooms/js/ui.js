// DOM only: tiles, participant list, banners, controls. Never touches the network.
// Every user-provided string goes through textContent, never innerHTML.
import { gettext, interpolate } from "../../core/js/i18n.js";

let root = null;
let labels = {};

export function initUi(rootEl) {
  root = rootEl;
  labels = {
    you: rootEl.dataset.labelYou,
    youLocal: rootEl.dataset.labelYouLocal,
    connecting: rootEl.dataset.labelConnecting,
  };
  document.getElementById("local-name").textContent = labels.you;
  labelTile(document.getElementById("tile-local"), labels.you, gettext("Your video"));
  renderParticipant("local", labels.youLocal, "", { local: true });
  updateCounts();
}

const grid = () => document.getElementById("video-grid");
const list = () => document.getElementById("participants");

function updateCounts() {
  const tiles = grid().querySelectorAll(".tile").length;
  grid().dataset.count = tiles > 9 ? "many" : String(tiles);
  document.getElementById("participant-count").textContent = String(
    list().querySelectorAll("li").length,
  );
}

export function setLocalStream(stream, { screen = false } = {}) {
  const video = document.getElementById("local-video");
  // A media element waiting on a trackless stream would delay the page's load event forever.
  const source = stream.getTracks().length ? stream : null;
  if (video.srcObject !== source) video.srcObject = source;
  document.getElementById("tile-local").classList.toggle("screen", screen);
}

// A tile is a group named after its participant (read as "Sam Study, group"), its video too.
function labelTile(tile, name, videoLabel) {
  tile.setAttribute("role", "group");
  tile.setAttribute("aria-label", name);
  tile.querySelector("video")?.setAttribute("aria-label", videoLabel);
}

function tileFor(peerId) {
  return grid().querySelector(`.tile[data-peer="${CSS.escape(peerId)}"]`);
}

export function addTile(peerId, name) {
  let tile = tileFor(peerId);
  if (!tile) {
    tile = document.getElementById("tile-template").content.firstElementChild.cloneNode(true);
    tile.dataset.peer = peerId;
    tile.querySelector(".tile-state").textContent = labels.connecting;
    grid().append(tile);
  }
  tile.querySelector(".tile-name").textContent = name;
  labelTile(tile, name, interpolate(gettext("Video of %(name)s"), { name }));
  updateCounts();
  return tile;
}

export function setTileStream(peerId, name, stream) {
  const tile = addTile(peerId, name);
  const video = tile.querySelector("video");
  if (video.srcObject !== stream) video.srcObject = stream;
  video.play().catch(() => {});
}

// SFU grid: `order` places the tile (teacher, screen share, speakers first); a tile with `on`
// false shows only the name while its audio keeps playing (cap of student videos).
export function setTileVideo(peerId, on, order, stream) {
  const tile = tileFor(peerId);
  if (!tile) return;
  tile.style.order = String(order);
  tile.dataset.videoOff = on ? "false" : "true";
  const video = tile.querySelector("video");
  const wanted = on ? stream : new MediaStream(stream.getAudioTracks());
  const current = video.srcObject;
  const same =
    current &&
    current.getTracks().length === wanted.getTracks().length &&
    wanted.getTracks().every((t) => current.getTracks().includes(t));
  if (!same) {
    video.srcObject = wanted;
    video.play().catch(() => {});
  }
}

// A connection's state (RTCPeerConnection.connectionState) in words on its tile; none when connected.
function stateText(state) {
  if (state === "connected") return "";
  if (state === "new" || state === "connecting") return labels.connecting;
  if (state === "disconnected") return gettext("reconnecting…");
  if (state === "failed") return gettext("connection failed");
  if (state === "closed") return gettext("disconnected");
  return state;
}

export function setTileState(peerId, state) {
  const tile = tileFor(peerId);
  if (!tile) return;
  tile.dataset.state = state;
  tile.querySelector(".tile-state").textContent = stateText(state);
}

export function removeTile(peerId) {
  const tile = tileFor(peerId);
  if (tile) {
    const video = tile.querySelector("video");
    video.srcObject = null;
    tile.remove();
  }
  updateCounts();
}

// A row of the participant list (participant-template): the name, then the icons. A long name
// wraps, then is cut with an ellipsis by CSS; its title and text keep the full name.
function renderParticipant(peerId, name, role, { local = false } = {}) {
  const template = document.getElementById("participant-template");
  let item = list().querySelector(`li[data-peer="${CSS.escape(peerId)}"]`);
  if (!item) {
    item = template.content.firstElementChild.cloneNode(true);
    item.dataset.peer = peerId;
    if (local) item.classList.add("participant-local");
    list().append(item);
  }
  const nameEl = item.querySelector(".participant-name");
  nameEl.textContent = name;
  nameEl.title = name;
  item.dataset.role = role;
  // Only the teacher is marked: a badge on every student would crowd the narrow panel.
  item.querySelector(".participant-role").textContent =
    role === "teacher" ? (template.dataset.labelRoleTeacher ?? "") : "";
}

export function addParticipant(peerId, name, role) {
  renderParticipant(peerId, name, role);
  updateCounts();
}

export function removeParticipant(peerId) {
  list().querySelector(`li[data-peer="${CSS.escape(peerId)}"]`)?.remove();
  updateCounts();
}

export function clearRemote() {
  for (const tile of grid().querySelectorAll(".tile:not([data-peer='local'])")) {
    removeTile(tile.dataset.peer);
  }
  for (const item of list().querySelectorAll("li:not(.participant-local)")) item.remove();
  updateCounts();
}

function banner(id, text) {
  const el = document.getElementById(id);
  if (text) el.textContent = text;
  el.classList.toggle("d-none", !text);
}

export function showMediaBanner(text) {
  banner("media-banner", text);
}

export function showError(text) {
  banner("error-banner", text);
}

export function setReconnecting(on) {
  document.getElementById("reconnect-banner").classList.toggle("d-none", !on);
  root.dataset.connection = on ? "reconnecting" : "open";
}

export function setPressed(buttonId, pressed, disabled = false) {
  const button = document.getElementById(buttonId);
  button.setAttribute("aria-pressed", pressed ? "true" : "false");
  button.disabled = disabled;
}

// A device the browser gives no label (before the user allowed it): its kind and number.
function deviceName(kind, number) {
  if (kind === "videoinput") return interpolate(gettext("Camera %(number)s"), { number });
  if (kind === "audioinput") return interpolate(gettext("Microphone %(number)s"), { number });
  return interpolate(gettext("Device %(number)s"), { number });
}

export function fillDeviceSelect(selectId, devices, currentId) {
  const select = document.getElementById(selectId);
  select.replaceChildren(
    ...devices.map((d, i) => {
      const option = document.createElement("option");
      option.value = d.deviceId;
      option.textContent = d.label || deviceName(d.kind, i + 1);
      option.selected = d.deviceId === currentId;
      return option;
    }),
  );
  select.disabled = devices.length === 0;
}
