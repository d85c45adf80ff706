// Reactions: the menu in the control bar sends `reaction` {emoji}; every `reaction` {peerId,
// emoji} floats on that peer's tile for a couple of seconds (no motion under
// prefers-reduced-motion: see classroom.css) and is announced politely, at most one announcement
// every few seconds (through the room's live region, announce.js). Message types match protocol.py.
import { announce as say } from "./announce.js";

const FLOAT_MS = 2400;
const ANNOUNCE_EVERY_MS = 4000;

export function initReactions({ box, signaling }) {
  if (!box) return;
  const grid = document.getElementById("video-grid");
  const label = (key) => box.dataset[key] ?? "";
  let lastAnnounced = 0;
  let pending = null; // the latest reaction not yet announced (announced when the wait is over)
  let announceTimer = null;

  const domId = (peerId) => (peerId === signaling.peerId ? "local" : peerId);
  const tileFor = (peerId) => grid.querySelector(`.tile[data-peer="${CSS.escape(domId(peerId))}"]`);
  function nameOf(peerId) {
    if (peerId === signaling.peerId) return label("labelYou");
    const item = document.querySelector(`#participants li[data-peer="${CSS.escape(peerId)}"]`);
    return item?.querySelector(".participant-name")?.textContent ?? "";
  }

  function float(peerId, emoji) {
    const tile = tileFor(peerId);
    if (!tile) return;
    const el = document.createElement("span");
    el.className = "reaction-float";
    el.setAttribute("aria-hidden", "true"); // announced once, by the live region
    el.textContent = emoji;
    // A little sideways spread, so that a burst does not stack into one glyph.
    el.style.setProperty("--reaction-x", `${Math.round(Math.random() * 40) - 20}%`);
    tile.append(el);
    setTimeout(() => el.remove(), FLOAT_MS);
  }

  function announce() {
    if (!pending) return;
    say(label("labelReacted").replace("{name}", pending.name).replace("{emoji}", pending.emoji));
    pending = null;
    lastAnnounced = Date.now();
  }

  function queueAnnouncement(name, emoji) {
    pending = { name, emoji };
    const wait = lastAnnounced + ANNOUNCE_EVERY_MS - Date.now();
    if (wait <= 0) announce();
    else if (!announceTimer) {
      announceTimer = setTimeout(() => {
        announceTimer = null;
        announce();
      }, wait);
    }
  }

  signaling.on("reaction", (msg) => {
    float(msg.peerId, msg.emoji);
    queueAnnouncement(nameOf(msg.peerId), msg.emoji);
  });

  for (const button of box.querySelectorAll(".reaction-choice")) {
    button.addEventListener("click", () => {
      signaling.send({ type: "reaction", emoji: button.dataset.emoji });
    });
  }
  // Escape closes the menu and gives the focus back to its button; so does a click elsewhere.
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && box.open) {
      box.open = false;
      box.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", (event) => {
    if (box.open && !box.contains(event.target)) box.open = false;
  });
}
