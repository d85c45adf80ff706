// The waiting room (rooms/lobby.py). A student's page shows #room-waiting instead of the room
// while the server says `waiting`, and the room again at `welcome` (same socket). The staff's
// page lists who waits (#waiting-room, in the Participants tab) with Admit / Deny / Admit all,
// shows a banner and plays a short knock (WebAudio, no media file) unless its sound is off.
// DOM updates use textContent only. Message types match protocol.py.

const SOUND_KEY = "classmeet.knockSound"; // "off" when the staff member muted the knock

const fill = (text, values) =>
  Object.entries(values).reduce((out, [key, value]) => out.replace(`{${key}}`, value), text);

// Two short soft tones: a knock that does not startle. Silent if the browser blocks audio.
export function playKnock(context = null) {
  const Context = window.AudioContext ?? window.webkitAudioContext;
  if (!context && !Context) return null;
  const audio = context ?? new Context();
  const start = audio.currentTime;
  for (const [offset, frequency] of [
    [0, 660],
    [0.18, 880],
  ]) {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start + offset);
    gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.16);
    osc.connect(gain).connect(audio.destination);
    osc.start(start + offset);
    osc.stop(start + offset + 0.17);
  }
  return audio;
}

// The student's side: returns nothing; `root` is #room, hidden while waiting.
export function initWaiting({ root, signaling, onLeave }) {
  const page = document.getElementById("room-waiting");
  if (!page) return;
  const status = page.querySelector("#room-waiting-status");
  signaling.on("waiting", () => {
    root.hidden = true;
    root.inert = true;
    root.dataset.waiting = "true";
    page.hidden = false;
    status.textContent = status.dataset.msgWaiting ?? "";
    page.querySelector("#room-waiting-title").focus();
  });
  signaling.on("welcome", () => {
    if (page.hidden) return;
    page.hidden = true;
    delete root.dataset.waiting;
    root.hidden = false;
    root.inert = false;
  });
  page.querySelector("#btn-waiting-leave").addEventListener("click", () => {
    page.hidden = true;
    onLeave();
  });
}

// The staff's side: the waiting list, the knock banner and sound.
export function initWaitingList({ signaling }) {
  const box = document.getElementById("waiting-room");
  if (!box) return null;
  const label = (key) => box.dataset[key] ?? "";
  const list = box.querySelector("#waiting-list");
  const soundButton = box.querySelector("#btn-knock-sound");
  const banner = document.getElementById("knock-banner");
  let version = -1;
  let audio = null;
  let soundOn = readSound();
  const state = { knocks: 0, sounds: 0, waiting: [] }; // for tests and diagnostics

  function readSound() {
    try {
      return window.localStorage.getItem(SOUND_KEY) !== "off";
    } catch {
      return true;
    }
  }

  function renderSound() {
    const text = label(soundOn ? "labelSoundOn" : "labelSoundOff");
    soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
    soundButton.title = text;
    soundButton.querySelector(".visually-hidden").textContent = text;
    soundButton.querySelector("i").className = soundOn ? "bi bi-bell-fill" : "bi bi-bell-slash";
  }

  soundButton.addEventListener("click", () => {
    soundOn = !soundOn;
    try {
      window.localStorage.setItem(SOUND_KEY, soundOn ? "on" : "off");
    } catch {
      // storage disabled: the choice lasts for this page
    }
    renderSound();
  });

  function button(text, name, cls, msg) {
    const el = document.createElement("button");
    el.type = "button";
    el.className = `btn btn-sm ${cls}`;
    el.textContent = text;
    el.setAttribute("aria-label", name);
    el.addEventListener("click", () => {
      el.disabled = true;
      signaling.send(msg);
    });
    return el;
  }

  function render(waiting) {
    state.waiting = waiting;
    list.replaceChildren(
      ...waiting.map(({ userId, name }) => {
        const item = document.createElement("li");
        item.className = "d-flex align-items-center gap-1 py-1 waiting-user";
        item.dataset.user = String(userId);
        const who = document.createElement("span");
        who.className = "flex-grow-1 text-truncate";
        who.textContent = name;
        who.title = name;
        item.append(
          who,
          button(label("labelAdmit"), fill(label("labelAdmitOf"), { name }), "btn-success", {
            type: "admit",
            userId,
          }),
          button(label("labelDeny"), fill(label("labelDenyOf"), { name }), "btn-outline-danger", {
            type: "deny",
            userId,
          }),
        );
        return item;
      }),
    );
    box.querySelector("#waiting-count").textContent = String(waiting.length);
    box.hidden = waiting.length === 0;
    if (!waiting.length) banner?.classList.add("d-none");
  }

  signaling.on("waiting-list", (msg) => {
    if (msg.version < version) return; // an older list, sent by another server process
    version = msg.version;
    render(msg.waiting);
  });
  signaling.on("knock", (msg) => {
    state.knocks += 1;
    if (banner) {
      banner.querySelector(".banner-text").textContent = fill(label("msgKnock"), { name: msg.name });
      banner.classList.remove("d-none");
    }
    if (!soundOn) return;
    try {
      audio = playKnock(audio);
      state.sounds += 1;
    } catch (err) {
      console.warn("classmeet: knock sound failed", err);
    }
  });
  box.querySelector("#btn-admit-all").addEventListener("click", () => {
    signaling.send({ type: "admit-all" });
  });
  renderSound();
  return state;
}
