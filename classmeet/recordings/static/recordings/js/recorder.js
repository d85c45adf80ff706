// Recording (see docs/recordings.md). Two paths, chosen by the server (`data-mode`, and `mode` in
// the start answer):
// - "sfu": Janus records every published stream on the server; this tab only starts and stops it
//   (the room moves to the SFU when it starts, if it was a mesh).
// - "browser": recorded in the teacher's tab: a canvas composite of the active video (the screen
//   share with the camera as an inset, or the camera) + a WebAudio mix of the teacher's
//   microphone and every remote audio track → MediaRecorder (WebM VP8/Opus) → a chunk every ~2 s
//   POSTed in order (sequence numbers, retried, idempotent on the server).
// Everybody gets the `recording` frame: the indicator and a notice. DOM text via textContent.

const TIMESLICE_MS = 2000;
const FPS = 25;
const WIDTH = 1280;
const HEIGHT = 720;
const MIME = "video/webm;codecs=vp8,opus";
const RETRIES = 5;

export function initRecorder({ box, signaling, localStream, cameraTrack, screenTrack }) {
  if (!box) return null;
  const label = (key) => box.dataset[key] ?? "";
  const indicator = document.getElementById("recording-indicator");
  const notice = document.getElementById("recording-notice");
  const button = document.getElementById("btn-record");
  let session = null; // the running local recorder, if this tab records

  function showNotice(text, kind = "info") {
    notice.textContent = text;
    notice.classList.toggle("d-none", !text);
    notice.classList.toggle("alert-info", kind === "info");
    notice.classList.toggle("alert-danger", kind === "danger");
  }

  function setIndicator(active) {
    indicator.classList.toggle("d-none", !active);
    box.dataset.recording = active ? "true" : "false";
  }

  function setButton(recording, busy = false) {
    if (!button) return;
    button.setAttribute("aria-pressed", recording ? "true" : "false");
    button.classList.toggle("btn-danger", recording);
    button.classList.toggle("btn-outline-danger", !recording);
    button.querySelector(".record-label").textContent = label(recording ? "labelStop" : "labelStart");
    button.disabled = busy;
  }

  let serverNotice = false; // the notice shows a message from the server (not this tab's own)
  let recordingId = null; // the recording running in the room, if any
  signaling.on("recording", (msg) => {
    recordingId = msg.active ? msg.recordingId : null;
    setIndicator(msg.active);
    if (msg.message) {
      showNotice(msg.message, msg.active ? "info" : "danger");
      serverNotice = true;
    } else if (!msg.active && serverNotice) {
      showNotice("");
      serverNotice = false;
    }
    // Stopped on the server (quota, deleted, teacher's other tab…): stop recording here too.
    const other = (msg.recordingId ?? null) !== null && session && msg.recordingId !== session.id;
    if (!msg.active && session && !other) session.abort();
  });

  // The teacher's tab (re)published to Janus while Janus records: the server notes the new
  // feed as the teacher's (the recorded file shows the teacher's video).
  let feedsPending = false; // published before the recording's id was known
  function noteFeeds() {
    feedsPending = recordingId === null;
    if (feedsPending) return;
    const url = box.dataset.feedsUrl.replace("/0/", `/${recordingId}/`);
    post(url, new URLSearchParams(), "application/x-www-form-urlencoded").catch(() => null);
  }
  signaling.on("sfu-published", () => {
    if (button && box.dataset.mode === "sfu") noteFeeds();
  });

  if (button) {
    button.addEventListener("click", async () => {
      if (session) {
        setButton(true, true);
        await session.stop();
        return;
      }
      setButton(false, true);
      try {
        session = await startSession();
        recordingId = session.id;
        if (feedsPending) noteFeeds();
        setButton(true);
        showNotice(label("msgStarted"));
        serverNotice = false;
      } catch (err) {
        session = null;
        setButton(false);
        showNotice(err.message || label("msgFailed"), "danger");
      }
    });
  }

  function post(url, body, contentType) {
    const headers = { "X-CSRFToken": box.dataset.csrfToken, Accept: "application/json" };
    if (contentType) headers["Content-Type"] = contentType;
    return fetch(url, { method: "POST", body, headers, credentials: "same-origin" });
  }

  async function startSession() {
    const serverRecords = box.dataset.mode === "sfu";
    if (!serverRecords && (!window.MediaRecorder || !MediaRecorder.isTypeSupported(MIME))) {
      throw new Error(label("msgUnsupported"));
    }
    const mix = createMix({ localStream, cameraTrack, screenTrack });
    const counts = new URLSearchParams({
      videoTracks: String(mix.videoSources()),
      audioTracks: String(mix.audioSources()),
    });
    const response = await post(box.dataset.startUrl, counts, "application/x-www-form-urlencoded");
    const info = await response.json().catch(() => ({}));
    if (!response.ok) {
      mix.close();
      throw new Error(info.message || label("msgFailed"));
    }
    if (info.mode === "sfu") {
      mix.close(); // the composite only counted the tracks: Janus records
      return createServerSession({ info, post, onEnd: ended });
    }
    return createSession({ info, mix, post, onEnd: ended });
  }

  // Janus records: stopping is one request; the server tells everybody.
  function createServerSession({ info, post: send, onEnd }) {
    let stopped = null;
    return {
      id: info.id,
      uploaded: () => 0,
      stop() {
        stopped ??= send(info.stopUrl, new URLSearchParams(), "application/x-www-form-urlencoded")
          .catch(() => null)
          .then(() => onEnd(label("msgStopped")));
        return stopped;
      },
      abort() {
        if (!stopped) onEnd("");
      },
    };
  }

  function ended(reasonText) {
    session = null;
    setButton(false);
    if (reasonText) showNotice(reasonText, reasonText === label("msgStopped") ? "info" : "danger");
    serverNotice = false;
  }

  const api = {
    get recording() {
      return session !== null;
    },
    get uploaded() {
      return session ? session.uploaded() : 0;
    },
    // The room ends for this tab: stop recording as by hand (the last chunk is flushed and the
    // server told); resolves when done.
    stop() {
      return session ? session.stop() : Promise.resolve();
    },
  };
  window.classmeetRecorder = api; // diagnostics for tests
  return api;

  function createSession({ info, mix, post: send, onEnd }) {
    const recorder = new MediaRecorder(mix.stream, {
      mimeType: MIME,
      videoBitsPerSecond: 1_000_000,
      audioBitsPerSecond: 96_000,
    });
    let seq = 0;
    let uploaded = 0;
    let failed = false;
    let queue = Promise.resolve();
    let stopped = null;

    async function upload(blob, n) {
      for (let attempt = 0; attempt <= RETRIES; attempt += 1) {
        let response = null;
        try {
          response = await send(`${info.chunkUrl}${n}/`, blob, "application/octet-stream");
        } catch {
          response = null; // network error: retry
        }
        if (response && response.ok) {
          uploaded += 1;
          return;
        }
        if (response && response.status < 500 && response.status !== 429) {
          const body = await response.json().catch(() => ({}));
          throw new Error(body.message || label("msgUploadFailed"));
        }
        if (response && response.status === 507) {
          const body = await response.json().catch(() => ({}));
          throw new Error(body.message || label("msgUploadFailed"));
        }
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      }
      throw new Error(label("msgUploadFailed"));
    }

    recorder.addEventListener("dataavailable", (event) => {
      if (!event.data || !event.data.size || failed) return;
      const n = seq;
      seq += 1;
      queue = queue.then(() => (failed ? null : upload(event.data, n))).catch((err) => {
        if (failed) return;
        failed = true;
        finish(err.message);
      });
    });

    function finish(message) {
      if (recorder.state !== "inactive") recorder.stop();
      mix.close();
      onEnd(message);
    }

    recorder.start(TIMESLICE_MS);
    return {
      id: info.id,
      uploaded: () => uploaded,
      // Stop by hand: flush the last chunk, wait for every upload, then tell the server.
      stop() {
        stopped ??= new Promise((resolve) => {
          recorder.addEventListener(
            "stop",
            async () => {
              await queue;
              mix.close();
              if (!failed) {
                await send(info.stopUrl, new URLSearchParams(), "application/x-www-form-urlencoded")
                  .catch(() => null);
                onEnd(label("msgStopped"));
              }
              resolve();
            },
            { once: true },
          );
          if (recorder.state !== "inactive") recorder.stop();
        });
        return stopped;
      },
      // Stopped by the server: drop what is left.
      abort() {
        if (failed || stopped) return; // a stop by hand is already flushing
        failed = true;
        finish("");
      },
    };
  }
}

// The composite stream: a canvas (video) and a WebAudio destination (audio). --------------------

function createMix({ localStream, cameraTrack, screenTrack }) {
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const g = canvas.getContext("2d");
  const videos = new Map(); // track id -> <video> playing that track (not in the DOM)
  const audio = new AudioContext();
  const destination = audio.createMediaStreamDestination();
  const sources = new Map(); // audio track id -> source node

  function videoFor(track) {
    if (!track || track.readyState !== "live") return null;
    let el = videos.get(track.id);
    if (!el) {
      el = document.createElement("video");
      el.muted = true;
      el.playsInline = true;
      el.srcObject = new MediaStream([track]);
      el.play().catch(() => {});
      videos.set(track.id, el);
    }
    return el;
  }

  function fit(el, x, y, w, h) {
    const vw = el.videoWidth;
    const vh = el.videoHeight;
    if (!vw || !vh) return;
    const scale = Math.min(w / vw, h / vh);
    const dw = vw * scale;
    const dh = vh * scale;
    g.drawImage(el, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh);
  }

  function draw() {
    g.fillStyle = "#000";
    g.fillRect(0, 0, WIDTH, HEIGHT);
    const camera = cameraTrack();
    const screen = screenTrack();
    const cam = camera && camera.enabled ? videoFor(camera) : null;
    const main = screen ? videoFor(screen) : cam;
    if (main) fit(main, 0, 0, WIDTH, HEIGHT);
    if (screen && cam) {
      const w = WIDTH / 5;
      const h = HEIGHT / 5;
      fit(cam, WIDTH - w - 16, HEIGHT - h - 16, w, h);
    }
  }

  // Remote audio: every <video> of the grid that plays someone else's stream (mesh or SFU).
  function remoteAudioTracks() {
    const tracks = [];
    for (const el of document.querySelectorAll("#video-grid video")) {
      if (el.id === "local-video" || !(el.srcObject instanceof MediaStream)) continue;
      tracks.push(...el.srcObject.getAudioTracks());
    }
    return tracks;
  }

  function connectAudio() {
    const wanted = [...localStream.getAudioTracks(), ...remoteAudioTracks()].filter(
      (t) => t.readyState === "live",
    );
    for (const track of wanted) {
      if (sources.has(track.id)) continue;
      const node = audio.createMediaStreamSource(new MediaStream([track]));
      node.connect(destination);
      sources.set(track.id, node);
    }
    const ids = new Set(wanted.map((t) => t.id));
    for (const [id, node] of sources) {
      if (!ids.has(id)) {
        node.disconnect();
        sources.delete(id);
      }
    }
    return wanted.length;
  }

  draw();
  connectAudio();
  audio.resume().catch(() => {});
  const drawTimer = setInterval(draw, 1000 / FPS);
  const audioTimer = setInterval(connectAudio, 1000);
  const canvasTrack = canvas.captureStream(FPS).getVideoTracks()[0];
  const stream = new MediaStream([canvasTrack, ...destination.stream.getAudioTracks()]);

  return {
    stream,
    videoSources: () => [cameraTrack(), screenTrack()].filter((t) => t && t.readyState === "live").length,
    audioSources: () => sources.size,
    close() {
      clearInterval(drawTimer);
      clearInterval(audioTimer);
      canvasTrack.stop();
      for (const node of sources.values()) node.disconnect();
      sources.clear();
      for (const el of videos.values()) el.srcObject = null;
      videos.clear();
      audio.close().catch(() => {});
    },
  };
}
