// The signaling socket: connect, join (resuming this tab's previous peerId), heartbeat, and
// reconnect with exponential backoff. Message `type` strings match classmeet/rooms/protocol.py.

// Close codes after which reconnecting cannot help (see docs/protocol.md).
export const REFUSED = new Map([
  [4401, "anonymous"],
  [4403, "not-found"], // no longer sent: a hidden meeting is 4404, like a missing one
  [4404, "not-found"],
  [4409, "not-open"],
  [4410, "removed"], // the teacher removed this user
  [4411, "ended"], // the teacher ended the meeting for everyone
  [4412, "denied"], // the staff turned this user away from the waiting room
]);
const CLOSE_REPLACED = 4000;
const BACKOFF_FIRST_MS = 300;
const BACKOFF_MAX_MS = 8000;
// Reconnecting stops after this long without a successful join: the page then ends its room
// (camera and microphone released) instead of retrying forever. The page passes the server's
// setting (CLASSMEET_ROOM_RECONNECT_GIVE_UP_SECONDS).
const GIVE_UP_MS = 120_000;
// This tab's peerIds on its pages of the room that are gone (reloaded, navigated away), kept in
// sessionStorage (per tab, it outlives the page). Written only when a page leaves, so the copy a
// duplicated tab gets never names a page that is still there.
const FORMER_KEY = "classmeet.formerPeerIds:";
const FORMER_MAX = 8;

function readFormer(key) {
  try {
    const ids = JSON.parse(window.sessionStorage.getItem(key) ?? "[]");
    return Array.isArray(ids) ? ids.filter((id) => typeof id === "string") : [];
  } catch {
    return []; // storage disabled or unreadable: nothing to skip
  }
}

export function socketUrl(path, location = window.location) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}`;
}

function joinMessage(peerId, former) {
  const join = { type: "join" };
  if (peerId) join.resume = peerId;
  else if (former.length) join.previous = former[former.length - 1];
  return join;
}

// The page's first socket, opened by early.js while the page still loads (its stylesheet and
// main.js): its URL asks the server to join at once (`?join=1`, docs/protocol.md), so that the
// handshake, the entry check and `welcome` overlap the load. createSignaling adopts it; its
// events wait in `events` until the page's handlers are there.
const EARLY = "classmeetEarlySocket";

export function openEarly(path) {
  // main.js's signaling may have started first (early.js is async: it can arrive late): it has
  // its socket then, and a second one would join as a second participant.
  if (EARLY in window) return;
  const url = socketUrl(path);
  const query = new URLSearchParams({ join: "1" });
  const { previous } = joinMessage(null, readFormer(FORMER_KEY + new URL(url).pathname));
  if (previous) query.set("previous", previous);
  const socket = new WebSocket(`${url}?${query}`);
  const early = { url, socket, events: [], deliver: null, openedAt: null };
  const keep = (event) => (early.deliver ? early.deliver(event) : early.events.push(event));
  socket.addEventListener("open", (event) => {
    early.openedAt = performance.now();
    keep(event);
  });
  socket.addEventListener("message", keep);
  socket.addEventListener("close", keep);
  window[EARLY] = early;
}

function takeEarly(url) {
  const early = window[EARLY];
  window[EARLY] = null; // taken, or too late: early.js opens nothing from now on
  if (!early) return null;
  if (early.url === url) return early;
  early.socket.close(1000); // another room's socket: not this page's to keep
  return null;
}

// Returns { start, send, leave, hush, stop, on, wasOwn, dropForTest, get peerId, get state }.
// `wasOwn(id)`: the id is or was this tab's (this page's, or a previous page's), never a peer to
// link to; the room lists a previous page's id until its socket's close is handled. Besides the
// server's message types, `on` takes "state" (see below) and "open" (a socket opened, before
// `join`).
// `state` is "connecting" | "open" | "reconnecting" | "refused" (closed for good by the server) |
// "failed" (reconnecting gave up after `giveUpMs`) | "closed" (stopped by the page) | "left".
export function createSignaling(url, { giveUpMs = GIVE_UP_MS } = {}) {
  const handlers = new Map();
  let ws = null;
  let state = "connecting";
  let peerId = null;
  let attempt = 0;
  let heartbeat = null;
  let lastPong = 0;
  let retryTimer = null;
  let lostAt = null; // when the first failed attempt since the last successful join happened
  let hushed = false; // the page is ending: frames are no longer handed to the handlers
  const formerKey = FORMER_KEY + new URL(url).pathname;
  const former = readFormer(formerKey);
  const own = new Set(former); // every peerId this tab had in the room

  // The page is going: keep its peerId for the next page of this tab.
  function rememberLeaving() {
    if (!peerId) return;
    const ids = [...readFormer(formerKey).filter((id) => id !== peerId), peerId];
    try {
      window.sessionStorage.setItem(formerKey, JSON.stringify(ids.slice(-FORMER_MAX)));
    } catch {
      // storage full or disabled: the server still ends the old page on its close
    }
  }

  function emit(type, payload) {
    if (hushed && type !== "state") return;
    for (const fn of handlers.get(type) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        console.error(`classmeet: handler for ${type} failed`, err);
      }
    }
  }

  function setState(next, detail) {
    if (state === next) return;
    state = next;
    emit("state", { state, ...detail });
  }

  function stopHeartbeat() {
    if (heartbeat !== null) clearInterval(heartbeat);
    heartbeat = null;
  }

  function startHeartbeat(seconds) {
    stopHeartbeat();
    const everyMs = Math.max(1, seconds) * 1000;
    lastPong = Date.now();
    heartbeat = setInterval(() => {
      // Two missed beats: the socket is dead even if the browser has not noticed yet.
      if (Date.now() - lastPong > everyMs * 2.5) {
        ws?.close(4002, "heartbeat lost");
        return;
      }
      send({ type: "ping" });
    }, everyMs);
  }

  function onOpen(socket, early) {
    emit("open", { at: early?.openedAt ?? null });
    if (!early) socket.send(JSON.stringify(joinMessage(peerId, former))); // early's URL joined
  }

  function onMessage(event) {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    if (typeof msg?.type !== "string") return;
    lastPong = Date.now();
    if (msg.type === "welcome") {
      const resumed = peerId !== null && msg.peerId === peerId;
      peerId = msg.peerId;
      own.add(peerId);
      // Back off until a join succeeds, not just until a socket opens: a server that accepts
      // and then cannot join (its Redis restarting) must not be hammered every 300 ms.
      attempt = 0;
      lostAt = null;
      startHeartbeat(msg.heartbeatSeconds ?? 10);
      setState("open");
      emit("welcome", { ...msg, resumed });
      return;
    }
    if (msg.type === "waiting") {
      // In the waiting room: connected (no more backoff), kept alive until `welcome`.
      attempt = 0;
      lostAt = null;
      startHeartbeat(msg.heartbeatSeconds ?? 10);
    }
    emit(msg.type, msg);
  }

  function onClose(event) {
    ws = null;
    stopHeartbeat();
    if (state === "left" || event.code === CLOSE_REPLACED) return;
    if (REFUSED.has(event.code)) {
      setState("refused", { code: event.code, reason: REFUSED.get(event.code) });
      return;
    }
    scheduleReconnect();
  }

  function open() {
    const early = takeEarly(url); // only the first attempt can find one
    const socket = early?.socket ?? new WebSocket(url);
    ws = socket;
    const handle = (event) => {
      if (ws !== socket) return;
      if (event.type === "open") onOpen(socket, early);
      else if (event.type === "message") onMessage(event);
      else if (event.type === "close") onClose(event);
    };
    if (!early) {
      for (const type of ["open", "message", "close"]) socket.addEventListener(type, handle);
      return;
    }
    // The page registers its handlers in the task that calls start(), as a socket of its own
    // could deliver nothing before the next task: what the early socket got meanwhile is handed
    // over then, in order, and every later event after it.
    setTimeout(() => {
      for (const event of early.events.splice(0)) handle(event);
      early.deliver = handle;
    });
  }

  function scheduleReconnect() {
    lostAt ??= Date.now();
    if (Date.now() - lostAt >= giveUpMs) {
      setState("failed");
      return;
    }
    setState("reconnecting");
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
    attempt += 1;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, delay * (0.75 + Math.random() * 0.5));
  }

  function send(msg) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  return {
    start: open,
    send,
    on(type, fn) {
      if (!handlers.has(type)) handlers.set(type, []);
      handlers.get(type).push(fn);
    },
    wasOwn(id) {
      return own.has(id);
    },
    leave() {
      rememberLeaving();
      send({ type: "leave" });
      setState("left");
      clearTimeout(retryTimer);
      stopHeartbeat();
      ws?.close(1000);
    },
    // The page is ending but keeps the socket a moment (to flush a recording before `leave`):
    // the server's frames are no longer handed to the handlers.
    hush() {
      hushed = true;
    },
    // The room is over for this page (ended, removed): no more frames, no reconnect, and no
    // `leave` (the server closed or is closing this socket itself).
    stop() {
      hushed = true;
      clearTimeout(retryTimer);
      stopHeartbeat();
      const socket = ws;
      ws = null;
      socket?.close(1000);
      if (!["refused", "failed", "left"].includes(state)) setState("closed");
    },
    // Diagnostics: drop the socket as a network failure would (the client then reconnects).
    dropForTest() {
      ws?.close(4003, "dropped for test");
    },
    get peerId() {
      return peerId;
    },
    get state() {
      return state;
    },
  };
}
