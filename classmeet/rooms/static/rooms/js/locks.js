// Locks, an enforced mute (classmeet/rooms/locks.py, docs/protocol.md "Locks"). Message types
// match protocol.py. The server refuses a locked student's chat and devices; this page also:
// - turns its own locked devices off and disables their buttons, with the reason;
// - stops playing a locked student's received audio/video (mesh: a modified client gains
//   nothing; with the SFU, Janus already stops forwarding it);
// - gives staff the room's lock toggles and, per student, "allow to speak".
// Strings come from the data-* of #room-locks (rooms/_locks.html), translated by Django, and from
// i18n.js. A student hears each change of their own locks (announce.js).
import { gettext } from "../../core/js/i18n.js";
import { announce } from "./announce.js";

const DEVICES = ["mic", "camera", "screen", "chat"];
const BUTTONS = { mic: "btn-mic", camera: "btn-camera", screen: "btn-screen" };
const REAPPLY_MS = 1000; // received tracks appear after the frames that lock them

// Write only what differs: the buttons are watched (here and in controls.js), and an attribute
// written with its own value still makes a mutation record.
function setAttr(el, name, value) {
  if (value === null) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
  } else if (el.getAttribute(name) !== value) {
    el.setAttribute(name, value);
  }
}

function setDisabled(el, disabled) {
  if (el.disabled !== disabled) el.disabled = disabled;
}

export function initLocks({ box, signaling, localStream, connections }) {
  if (!box) return null;
  const label = (key) => box.dataset[key] ?? "";
  const fill = (text, values) =>
    Object.entries(values).reduce((out, [key, value]) => out.replace(`{${key}}`, value), text);
  const canControl = box.dataset.canControl === "true";
  const myUserId = Number(box.dataset.userId);
  const userOf = new Map(); // peerId -> userId (from the server's welcome and user-joined)
  const sharing = new Map(); // peerId -> sharing the screen (media-state)
  let room = {};
  let users = new Map(); // userId -> that student's exceptions {device: bool}
  let staff = new Set();

  function lockedFor(userId) {
    const found = new Set();
    if (userId === undefined || staff.has(userId)) return found;
    const own = users.get(userId) ?? {};
    for (const device of DEVICES) {
      const value = own[device] ?? null;
      if (value ?? room[device]) found.add(device);
    }
    return found;
  }

  // This page's own devices. ---------------------------------------------------------------------
  function lockButton(device, locked) {
    const button = document.getElementById(BUTTONS[device]);
    if (!button) return;
    const reasonId = `lock-reason-${device}`;
    if (locked) {
      if (device === "screen" && button.getAttribute("aria-pressed") === "true") {
        button.click(); // stops sharing (main.js); the button is disabled just below
      }
      const kind = device === "mic" ? "audio" : device === "camera" ? "video" : null;
      if (kind) {
        for (const track of localStream().getTracks()) {
          if (track.kind === kind && track.enabled) track.enabled = false;
        }
        setAttr(button, "aria-pressed", "true");
      }
      if (button.dataset.locked !== "true") {
        button.dataset.titleUnlocked = button.title;
        button.dataset.locked = "true";
      }
      setAttr(button, "title", label(`reason${device[0].toUpperCase()}${device.slice(1)}`));
      setAttr(button, "aria-describedby", reasonId);
      setDisabled(button, true);
    } else if (button.dataset.locked === "true") {
      delete button.dataset.locked;
      setAttr(button, "title", button.dataset.titleUnlocked ?? "");
      setAttr(button, "aria-describedby", null);
      // The device stays off: the student turns it on when they want to.
      const kind = device === "mic" ? "audio" : device === "camera" ? "video" : null;
      const usable = !kind || localStream().getTracks().some((t) => t.kind === kind);
      setDisabled(button, !usable);
    }
  }

  function lockChat(locked) {
    const input = document.getElementById("chat-input");
    const send = document.getElementById("chat-send");
    for (const el of [input, send]) {
      if (!el) continue;
      setDisabled(el, locked);
      setAttr(el, "aria-describedby", locked ? "lock-reason-chat" : null);
    }
    if (!input) return;
    if (locked && input.dataset.locked !== "true") {
      input.dataset.locked = "true";
      input.dataset.placeholderUnlocked = input.placeholder;
      input.placeholder = label("reasonChat"); // the reason, where the student looks
    } else if (!locked && input.dataset.locked === "true") {
      delete input.dataset.locked;
      input.placeholder = input.dataset.placeholderUnlocked ?? "";
    }
  }

  // Said when this page's own locks change: the reason when locked, the release when unlocked.
  const unlockedText = () => ({
    mic: gettext("The teacher unlocked your microphone."),
    camera: gettext("The teacher unlocked your camera."),
    screen: gettext("The teacher unlocked screen sharing."),
    chat: gettext("The teacher unlocked the chat."),
  });
  let ownLocks = new Set(); // as last said
  function announceOwn(mine) {
    for (const device of DEVICES) {
      if (mine.has(device) && !ownLocks.has(device)) {
        announce(label(`reason${device[0].toUpperCase()}${device.slice(1)}`));
      } else if (!mine.has(device) && ownLocks.has(device)) {
        announce(unlockedText()[device]);
      }
    }
    ownLocks = mine;
  }

  function applyOwn() {
    const mine = lockedFor(myUserId);
    announceOwn(mine);
    for (const device of ["mic", "camera", "screen"]) lockButton(device, mine.has(device));
    lockChat(mine.has("chat"));
    document.getElementById("room")?.setAttribute("data-locked", [...mine].join(" "));
  }

  // Buttons other code changes (a new microphone, media that arrived late) are locked again.
  const watcher = new MutationObserver(() => applyOwn());
  for (const id of Object.values(BUTTONS)) {
    const button = document.getElementById(id);
    if (button) watcher.observe(button, { attributeFilter: ["aria-pressed", "disabled"] });
  }

  // What this page plays of the others. ----------------------------------------------------------
  function applyRemote() {
    for (const [peerId, pc] of connections()) {
      if (peerId === "local") continue;
      const locked = lockedFor(userOf.get(peerId));
      const videoDevice = sharing.get(peerId) ? "screen" : "camera";
      for (const receiver of pc.getReceivers()) {
        const track = receiver.track;
        if (!track) continue;
        const off = track.kind === "audio" ? locked.has("mic") : locked.has(videoDevice);
        if (track.enabled === off) track.enabled = !off;
      }
    }
    for (const tile of document.querySelectorAll("#video-grid .tile[data-peer]")) {
      const peerId = tile.dataset.peer;
      if (peerId === "local") continue;
      const locked = lockedFor(userOf.get(peerId));
      const video = tile.querySelector("video");
      const mute = locked.has("mic");
      if (mute && !video.muted) {
        video.muted = true;
        tile.dataset.lockMuted = "true";
      } else if (!mute && tile.dataset.lockMuted === "true") {
        video.muted = false;
        delete tile.dataset.lockMuted;
      }
      setAttr(tile, "data-locked", [...locked].join(" ") || null);
    }
  }
  setInterval(applyRemote, REAPPLY_MS);

  // Staff: the room's toggles and, per student, "allow to speak". --------------------------------
  const list = document.getElementById("participants");
  let toolbar = null;
  if (canControl) {
    const template = document.getElementById("locks-toolbar-template");
    toolbar = template.content.firstElementChild.cloneNode(true);
    list.before(toolbar);
    for (const button of toolbar.querySelectorAll("button[data-lock]")) {
      button.addEventListener("click", () => {
        const device = button.dataset.lock;
        signaling.send({ type: "lock", [device]: !room[device] });
      });
    }
  }

  function renderStaff() {
    if (!toolbar) return;
    for (const button of toolbar.querySelectorAll("button[data-lock]")) {
      const locked = Boolean(room[button.dataset.lock]);
      setAttr(button, "aria-pressed", locked ? "true" : "false");
      button.classList.toggle("active", locked); // Bootstrap's look of a pressed toggle
    }
    for (const item of list.querySelectorAll("li[data-peer]")) {
      const peerId = item.dataset.peer;
      const userId = userOf.get(peerId);
      let button = item.querySelector(":scope .lock-peer");
      const own = users.get(userId) ?? {};
      const show =
        peerId !== "local" && userId !== undefined && !staff.has(userId) && item.dataset.role !== "teacher";
      const locked = lockedFor(userId).has("mic");
      if (!show || (!locked && own.mic !== false)) {
        button?.remove();
        continue;
      }
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-outline-secondary btn-sm lock-peer";
        button.addEventListener("click", () => {
          signaling.send({ type: "lock-peer", peerId, mic: button.dataset.action === "lock" });
        });
        (item.querySelector(":scope > .participant-icons") ?? item).append(button);
      }
      const name = item.querySelector(".participant-name")?.textContent ?? "";
      const text = fill(label(locked ? "labelAllowSpeak" : "labelRelock"), { name });
      button.dataset.action = locked ? "unlock" : "lock";
      button.replaceChildren();
      const icon = document.createElement("i");
      icon.className = locked ? "bi bi-unlock" : "bi bi-lock-fill";
      icon.setAttribute("aria-hidden", "true");
      button.append(icon);
      setAttr(button, "aria-label", text);
      setAttr(button, "title", text);
    }
  }
  if (canControl) new MutationObserver(renderStaff).observe(list, { childList: true });

  function applyAll() {
    applyOwn();
    applyRemote();
    renderStaff();
  }

  // Messages. ------------------------------------------------------------------------------------
  function onLocks(msg) {
    room = msg.room ?? {};
    users = new Map((msg.users ?? []).map(({ userId, ...own }) => [userId, own]));
    staff = new Set(msg.staff ?? []);
    applyAll();
  }
  signaling.on("welcome", (msg) => {
    userOf.clear();
    for (const p of msg.participants) userOf.set(p.peerId, p.userId);
    userOf.set(msg.peerId, myUserId);
  });
  signaling.on("user-joined", (msg) => {
    userOf.set(msg.peerId, msg.userId);
    applyAll();
  });
  signaling.on("user-left", (msg) => {
    userOf.delete(msg.peerId);
    sharing.delete(msg.peerId);
  });
  signaling.on("room-state", (msg) => {
    for (const m of msg.media) sharing.set(m.peerId, Boolean(m.screen));
    if (msg.locks) onLocks(msg.locks);
  });
  signaling.on("media-state", (msg) => {
    sharing.set(msg.peerId, Boolean(msg.screen));
    applyRemote();
  });
  signaling.on("locks", onLocks);
  signaling.on("error", (msg) => {
    if (msg.code === "locked") applyOwn(); // out of step with the server: lock again
  });
  return { lockedFor, applyAll };
}
