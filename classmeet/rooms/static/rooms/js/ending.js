// The end of the room for this page: the meeting ended, the teacher removed this user, the user
// left, or the socket closed for good. Every camera, microphone and screen track is stopped at
// once, the peer connections are closed, a running recording is stopped, and an end screen
// (#room-end, strings in its data-* attributes) replaces the whole room: `layout` (stage.js) leaves
// full screen and closes the phone's sheet, and every [data-room-live] element outside #room (the
// top bar's recorder) is hidden with it.

// kind -> the end screen's data-* keys (title, default reason) and whether "Rejoin" is offered.
// Besides "left" and "lost" (reconnecting gave up), the kinds are signaling's REFUSED names.
const REFUSED = { title: "titleRefused", reason: "reasonRefused", rejoin: false };
const KINDS = {
  ended: { title: "titleEnded", reason: "reasonEnded", rejoin: false },
  removed: { title: "titleRemoved", reason: "reasonRemoved", rejoin: false },
  denied: { title: "titleDenied", reason: "reasonDenied", rejoin: true }, // may knock again
  left: { title: "titleLeft", reason: "reasonLeft", rejoin: true },
  lost: { title: "titleLost", reason: "reasonLost", rejoin: true },
  "not-open": { title: "titleNotOpen", reason: "reasonNotOpen", rejoin: false },
  anonymous: { title: "titleSignedOut", reason: "reasonSignedOut", rejoin: true },
  forbidden: REFUSED,
  "not-found": REFUSED,
};
const RECORDING_FLUSH_MS = 5000; // at most this long before `leave` while a recording flushes

// One failing step (a connection already gone…) must not keep the camera on: run every step.
function attempt(step) {
  try {
    return step();
  } catch (err) {
    console.warn("classmeet: ending the room", err);
    return null;
  }
}

// Returns { endRoom({kind, reason}), get ended }: `kind` is a key of KINDS, `reason` the server's
// words (shown under the title, else the screen's default for that kind).
export function createEnding({ root, screen, signaling, peers, sfu, recorder, releaseMedia, layout }) {
  let ended = null;

  function endRoom({ kind, reason = "" }) {
    if (ended) return;
    ended = kind;
    const { title, reason: fallback, rejoin } = KINDS[kind] ?? REFUSED;
    // MediaRecorder takes what it has so far when stop() is called: stop it before the tracks.
    const flushing = recorder?.recording ? attempt(() => recorder.stop().catch(() => null)) : null;
    attempt(releaseMedia);
    attempt(() => peers.closeAll());
    attempt(() => sfu.closeAll());
    if (ended !== "left") {
      attempt(() => signaling.stop());
    } else if (flushing) {
      // The server stops a recording when its teacher leaves: upload the last chunk first.
      signaling.hush();
      const timeout = new Promise((resolve) => setTimeout(resolve, RECORDING_FLUSH_MS));
      Promise.race([flushing, timeout]).finally(() => signaling.leave());
    } else {
      attempt(() => signaling.leave());
    }
    for (const video of root.querySelectorAll("video")) video.srcObject = null;
    attempt(() => layout?.end()); // out of full screen, the phone's sheet and popovers closed
    root.hidden = true;
    root.inert = true; // nothing of the room can be focused or clicked any more
    // The room's controls outside #room (the top bar's recorder) go with it.
    for (const live of document.querySelectorAll("[data-room-live]")) {
      live.hidden = true;
      live.inert = true;
    }
    root.dataset.ended = ended;
    showScreen(screen.dataset[title] ?? "", reason || (screen.dataset[fallback] ?? ""), rejoin);
  }

  function showScreen(title, reason, rejoin) {
    const heading = screen.querySelector("#room-end-title");
    heading.textContent = title;
    screen.querySelector("#room-end-reason").textContent = reason;
    screen.querySelector("#btn-rejoin").hidden = !rejoin;
    screen.hidden = false;
    heading.focus();
  }

  screen.querySelector("#btn-rejoin").addEventListener("click", () => window.location.reload());

  return {
    endRoom,
    get ended() {
      return ended;
    },
  };
}
