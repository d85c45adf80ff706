// A WebSocket that reconnects with exponential backoff (and jitter) after a drop.
const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;
// Close codes after which retrying cannot help (signed out, forbidden).
const FINAL_CODES = new Set([4401, 4403]);

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${window.location.host}${path}`;
}

export function backoffDelay(attempt) {
  const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
  return Math.round(base * (0.5 + Math.random() / 2));
}

export function connectWithBackoff(path, { onMessage, onStateChange = () => {} }) {
  let attempt = 0;
  let socket = null;
  let timer = null;
  let stopped = false;

  function schedule() {
    if (stopped || timer !== null) return;
    const delay = backoffDelay(attempt);
    attempt += 1;
    onStateChange("waiting", delay);
    timer = window.setTimeout(() => {
      timer = null;
      open();
    }, delay);
  }

  function open() {
    if (stopped) return;
    onStateChange("connecting");
    socket = new WebSocket(socketUrl(path));
    socket.addEventListener("open", () => {
      attempt = 0;
      onStateChange("open");
    });
    socket.addEventListener("message", (event) => {
      let data;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(data);
    });
    socket.addEventListener("close", (event) => {
      socket = null;
      if (FINAL_CODES.has(event.code)) {
        stopped = true;
        onStateChange("closed", event.code);
        return;
      }
      schedule();
    });
  }

  // Back online: try now rather than wait for the current delay.
  window.addEventListener("online", () => {
    if (stopped || socket !== null) return;
    if (timer !== null) window.clearTimeout(timer);
    timer = null;
    open();
  });

  open();
  return {
    close() {
      stopped = true;
      if (timer !== null) window.clearTimeout(timer);
      if (socket !== null) socket.close();
    },
  };
}
