// Hands, media state, teacher controls and the active-speaker highlight.
// DOM updates use textContent and classes only. Message types match protocol.py.
import { gettext, interpolate } from "../../core/js/i18n.js";
import { announce } from "./announce.js";

const SPEAKING_LEVEL = 0.04; // audioLevel (0..1) above which a participant counts as speaking

export function initControls({ box, signaling, connections }) {
  const canControl = box.dataset.canControl === "true";
  const label = (key) => box.dataset[key] ?? "";
  const list = document.getElementById("participants");
  const grid = document.getElementById("video-grid");
  const hands = new Map(); // peerId -> raisedAt (unix seconds)
  const media = new Map(); // peerId -> {mic, camera, screen}
  let myHandUp = false;

  // The local participant is "local" in the DOM; the server knows it by its peerId.
  const domId = (peerId) => (peerId === signaling.peerId ? "local" : peerId);
  const itemFor = (peerId) => list.querySelector(`li[data-peer="${CSS.escape(domId(peerId))}"]`);
  const tileFor = (peerId) => grid.querySelector(`.tile[data-peer="${CSS.escape(domId(peerId))}"]`);

  // A row of the list keeps its icons in .participant-icons, after the name; a tile holds its own.
  function badge(parent, cls) {
    const holder = parent.querySelector(":scope > .participant-icons") ?? parent;
    let el = holder.querySelector(`:scope > .${cls}`);
    if (!el) {
      el = document.createElement("span");
      el.className = cls;
      holder.append(el);
    }
    return el;
  }

  // `name` is the icon's whole class (bi-…), written out where it is used: the room's stylesheet
  // keeps only the icons whose class appears in its sources (scripts/room_styles.mjs).
  function icon(name, title) {
    const i = document.createElement("i");
    i.className = `bi ${name}`;
    i.title = title;
    i.setAttribute("role", "img"); // a name on an <i> is read only with a role
    i.setAttribute("aria-label", title);
    return i;
  }

  const fill = (text, values) =>
    Object.entries(values).reduce((out, [key, value]) => out.replace(`{${key}}`, value), text);

  // Raised hands: a queue at the top of the participants panel, first raised first (the
  // server's raisedAt, also for a late joiner's room-state), and each row's place in it. -----
  const queue = document.getElementById("hand-queue-template").content.firstElementChild;
  const queueBox = queue.cloneNode(true);
  list.before(queueBox);
  const queueList = queueBox.querySelector("#hand-queue-list");
  const queueItem = document.getElementById("hand-queue-item-template").content.firstElementChild;

  const nameOf = (peerId) => itemFor(peerId)?.querySelector(".participant-name")?.textContent ?? "";

  function renderQueue(order) {
    queueList.replaceChildren(
      ...order.map((peerId, index) => {
        const entry = queueItem.cloneNode(true);
        const name = nameOf(peerId);
        entry.dataset.peer = peerId;
        entry.querySelector(".hand-queue-place").textContent = String(index + 1);
        const nameEl = entry.querySelector(".hand-queue-name");
        nameEl.textContent = name;
        nameEl.title = name;
        if (canControl && peerId !== signaling.peerId) {
          const lower = document.createElement("button");
          lower.type = "button";
          lower.className = "btn btn-outline-secondary btn-sm lower-hand";
          lower.textContent = label("labelLower");
          lower.setAttribute("aria-label", fill(label("labelLowerOf"), { name }));
          lower.addEventListener("click", () => signaling.send({ type: "lower-hand", peerId }));
          entry.append(lower);
        }
        return entry;
      }),
    );
    queueBox.querySelector("#hand-queue-count").textContent = String(order.length);
    queueBox.hidden = order.length === 0;
  }

  function renderHands() {
    const order = [...hands.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
    for (const item of list.querySelectorAll("li[data-peer]")) {
      const peerId = item.dataset.peer === "local" ? signaling.peerId : item.dataset.peer;
      const position = order.indexOf(peerId);
      const el = badge(item, "participant-hand");
      el.replaceChildren();
      item.dataset.hand = position >= 0 ? String(position + 1) : "";
      if (position >= 0) {
        const place = String(position + 1);
        el.append(icon("bi-hand-index-thumb-fill", fill(label("labelHandPlace"), { place })), place);
      }
    }
    renderQueue(order);
    myHandUp = hands.has(signaling.peerId);
    const button = document.getElementById("btn-hand");
    if (!button) return; // the teacher has no hand to raise
    button.setAttribute("aria-pressed", myHandUp ? "true" : "false");
    button.querySelector(".hand-label").textContent = label(myHandUp ? "labelHandDown" : "labelHandUp");
  }

  // Media state on tiles and in the list. -------------------------------------------------------
  function renderMedia(peerId) {
    const state = media.get(peerId);
    for (const el of [itemFor(peerId), tileFor(peerId)]) {
      if (!el) continue;
      const holder = badge(el, "media-icons");
      holder.replaceChildren();
      if (!state) continue;
      el.dataset.mic = state.mic ? "on" : "off";
      el.dataset.camera = state.camera ? "on" : "off";
      el.dataset.screen = state.screen ? "on" : "off";
      if (!state.mic) holder.append(icon("bi-mic-mute-fill", label("labelMicOff")));
      if (!state.camera) holder.append(icon("bi-camera-video-off-fill", label("labelCameraOff")));
      if (state.screen) holder.append(icon("bi-display", label("labelSharing")));
    }
  }

  // Teacher's per-participant buttons. ----------------------------------------------------------
  function decorate(item) {
    if (!canControl || item.dataset.peer === "local" || item.querySelector(".participant-actions")) {
      return;
    }
    const peerId = item.dataset.peer;
    const name = item.querySelector(".participant-name")?.textContent ?? "";
    const actions = document.createElement("span");
    actions.className = "participant-actions btn-group btn-group-sm";
    const mute = document.createElement("button");
    mute.type = "button";
    mute.className = "btn btn-outline-secondary mute-peer";
    mute.title = label("labelMute");
    mute.append(icon("bi-mic-mute", label("labelMute")));
    mute.setAttribute("aria-label", interpolate(gettext("Mute %(name)s"), { name }));
    mute.addEventListener("click", () => signaling.send({ type: "mute-peer", peerId }));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-outline-danger remove-peer";
    remove.title = label("labelRemove");
    remove.append(icon("bi-person-x", label("labelRemove")));
    remove.setAttribute("aria-label", interpolate(gettext("Remove %(name)s"), { name }));
    remove.addEventListener("click", () => {
      if (window.confirm(label("confirmRemove"))) signaling.send({ type: "remove-peer", peerId });
    });
    actions.append(mute, remove);
    (item.querySelector(":scope > .participant-icons") ?? item).append(actions);
  }

  new MutationObserver(() => {
    for (const item of list.querySelectorAll("li[data-peer]")) decorate(item);
  }).observe(list, { childList: true });
  new MutationObserver(() => {
    for (const peerId of media.keys()) renderMedia(peerId);
  }).observe(grid, { childList: true });

  // What this participant sends: derived from the room's own mic/camera/screen buttons. --------
  const pressed = (id) => document.getElementById(id)?.getAttribute("aria-pressed") === "true";
  const usable = (id) => !document.getElementById(id)?.disabled;
  function sendMediaState() {
    const state = {
      mic: usable("btn-mic") && !pressed("btn-mic"),
      camera: usable("btn-camera") && !pressed("btn-camera"),
      screen: pressed("btn-screen"),
    };
    if (signaling.peerId) media.set(signaling.peerId, state);
    signaling.send({ type: "media-state", ...state });
  }
  const buttonWatcher = new MutationObserver(sendMediaState);
  for (const id of ["btn-mic", "btn-camera", "btn-screen"]) {
    const button = document.getElementById(id);
    if (button) buttonWatcher.observe(button, { attributeFilter: ["aria-pressed", "disabled"] });
  }

  // Messages. -----------------------------------------------------------------------------------
  signaling.on("welcome", () => {
    sendMediaState();
    if (myHandUp) signaling.send({ type: "raise-hand" });
  });
  signaling.on("room-state", (msg) => {
    hands.clear();
    for (const h of msg.hands) hands.set(h.peerId, h.raisedAt);
    for (const m of msg.media) {
      media.set(m.peerId, { mic: m.mic, camera: m.camera, screen: m.screen });
      renderMedia(m.peerId);
    }
    renderHands();
  });
  // Said once per change (the server also repeats a hand to a page that reconnects).
  function announceHand(peerId, up) {
    if (peerId === signaling.peerId) {
      announce(up ? gettext("You raised your hand.") : gettext("Your hand is lowered."));
      return;
    }
    const name = nameOf(peerId);
    if (!name) return;
    const text = up ? gettext("%(name)s raised their hand") : gettext("%(name)s lowered their hand");
    announce(interpolate(text, { name }));
  }
  signaling.on("hand-raised", (msg) => {
    const known = hands.has(msg.peerId);
    hands.set(msg.peerId, msg.raisedAt);
    renderHands();
    if (!known) announceHand(msg.peerId, true);
  });
  signaling.on("hand-lowered", (msg) => {
    const known = hands.has(msg.peerId);
    hands.delete(msg.peerId);
    renderHands();
    if (known) announceHand(msg.peerId, false);
  });
  signaling.on("media-state", (msg) => {
    media.set(msg.peerId, { mic: msg.mic, camera: msg.camera, screen: msg.screen });
    renderMedia(msg.peerId);
  });
  signaling.on("user-joined", () => {
    renderHands();
    sendMediaState();
  });
  signaling.on("user-left", (msg) => {
    hands.delete(msg.peerId);
    media.delete(msg.peerId);
    renderHands();
  });
  signaling.on("mute-request", (msg) => {
    const mic = document.getElementById("btn-mic");
    if (mic && !mic.disabled && mic.getAttribute("aria-pressed") !== "true") mic.click();
    const banner = document.getElementById("mute-request-banner");
    banner.querySelector(".banner-text").textContent = label(msg.all ? "msgMutedAll" : "msgMutedYou");
    banner.classList.remove("d-none");
    announce(
      msg.all
        ? gettext("The teacher muted everyone. You can unmute yourself when you need to speak.")
        : gettext("You were muted by the teacher. You can unmute yourself when you need to speak."),
    );
  });
  for (const close of box.querySelectorAll("[data-dismiss-banner]")) {
    close.addEventListener("click", () => close.parentElement.classList.add("d-none"));
  }

  // Buttons. ------------------------------------------------------------------------------------
  document.getElementById("btn-hand")?.addEventListener("click", () => {
    signaling.send({ type: myHandUp ? "lower-hand" : "raise-hand" });
  });
  document.getElementById("btn-mute-all")?.addEventListener("click", () => {
    signaling.send({ type: "mute-all" });
  });
  document.getElementById("btn-end-meeting")?.addEventListener("click", () => {
    if (window.confirm(label("confirmEnd"))) signaling.send({ type: "end-meeting" });
  });

  // Active speaker: the loudest remote participant (or you) from getStats audio levels. ---------
  async function levels() {
    const found = new Map();
    for (const [peerId, pc] of connections()) {
      try {
        const stats = await pc.getStats();
        stats.forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "audio" && s.audioLevel !== undefined) {
            found.set(peerId, Math.max(found.get(peerId) ?? 0, s.audioLevel));
          }
          if (s.type === "media-source" && s.kind === "audio" && s.audioLevel !== undefined) {
            found.set("local", Math.max(found.get("local") ?? 0, s.audioLevel));
          }
        });
      } catch {
        // A connection closed while reading its stats: skip it this round.
      }
    }
    return found;
  }
  setInterval(async () => {
    const found = await levels();
    let speaker = null;
    let loudest = SPEAKING_LEVEL;
    for (const [peerId, level] of found) {
      if (level > loudest) [speaker, loudest] = [peerId, level];
    }
    for (const tile of grid.querySelectorAll(".tile")) {
      tile.classList.toggle("speaking", tile.dataset.peer === speaker);
    }
    grid.dataset.speaker = speaker ?? "";
  }, 500);
}
