// Local media: getUserMedia with fallbacks, device choice, mute/camera, screen share.

const VIDEO = { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } };

// Every track this page got from getUserMedia and getDisplayMedia, so that the end of the room
// stops them all at once (the camera light goes off), even one whose request was still pending.
const held = new Set();
let released = false;

function hold(stream) {
  for (const track of stream.getTracks()) {
    if (released) track.stop();
    else held.add(track);
  }
  return stream;
}

// Stop every camera, microphone and screen track, now and any that arrives later.
export function releaseAllMedia() {
  released = true;
  for (const track of held) track.stop();
  held.clear();
}

// Try camera+microphone, then microphone only, then camera only; join receive-only if nothing
// works. Returns { stream, mode, error } where mode is "full" | "audio-only" | "video-only" |
// "receive-only".
export async function acquireMedia({ audioDeviceId, videoDeviceId } = {}) {
  const audio = audioDeviceId ? { deviceId: { exact: audioDeviceId } } : true;
  const video = videoDeviceId ? { ...VIDEO, deviceId: { exact: videoDeviceId } } : VIDEO;
  if (!navigator.mediaDevices?.getUserMedia) {
    return { stream: new MediaStream(), mode: "receive-only", error: "unsupported" };
  }
  const attempts = [
    ["full", { audio, video }],
    ["audio-only", { audio, video: false }],
    ["video-only", { audio: false, video }],
  ];
  let lastError = null;
  for (const [mode, constraints] of attempts) {
    try {
      const stream = hold(await navigator.mediaDevices.getUserMedia(constraints));
      return { stream, mode, error: null };
    } catch (err) {
      lastError = err;
      // Permission refused for one kind is refused for all: stop asking.
      if (err?.name === "NotAllowedError" || err?.name === "SecurityError") break;
    }
  }
  return { stream: new MediaStream(), mode: "receive-only", error: lastError?.name ?? "error" };
}

export async function listDevices() {
  if (!navigator.mediaDevices?.enumerateDevices) return { cameras: [], microphones: [] };
  const devices = await navigator.mediaDevices.enumerateDevices();
  return {
    cameras: devices.filter((d) => d.kind === "videoinput"),
    microphones: devices.filter((d) => d.kind === "audioinput"),
  };
}

// A fresh track of one kind from the chosen device; the caller swaps it into the call.
export async function openDevice(kind, deviceId) {
  const constraints =
    kind === "video"
      ? { video: { ...VIDEO, deviceId: { exact: deviceId } } }
      : { audio: { deviceId: { exact: deviceId } } };
  const stream = hold(await navigator.mediaDevices.getUserMedia(constraints));
  return stream.getTracks()[0];
}

// Swap the stream's track of that kind; returns the replaced track (already stopped).
export function swapTrack(stream, kind, track) {
  const old = stream.getTracks().find((t) => t.kind === kind) ?? null;
  if (old) {
    stream.removeTrack(old);
    old.stop();
    held.delete(old);
  }
  if (track) stream.addTrack(track);
  return old;
}

// Flip `enabled` on every track of that kind; returns the new enabled state (null: no track).
export function toggleKind(stream, kind) {
  const tracks = stream.getTracks().filter((t) => t.kind === kind);
  if (!tracks.length) return null;
  const enabled = !tracks[0].enabled;
  for (const t of tracks) t.enabled = enabled;
  return enabled;
}

export async function startScreenShare() {
  if (!navigator.mediaDevices?.getDisplayMedia) throw new Error("screen sharing unsupported");
  const stream = hold(
    await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }),
  );
  return stream.getVideoTracks()[0];
}
