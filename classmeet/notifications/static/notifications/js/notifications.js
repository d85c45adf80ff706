// The navbar bell: unread badge, lazily loaded dropdown, and live updates over /ws/notifications/.
// Every text from the server goes into the page through textContent.
import { gettext } from "../../core/js/i18n.js";
import { connectWithBackoff } from "./socket.js";

const TOAST_DELAY_MS = 8000;

function loadStylesheet() {
  const href = new URL("../css/notifications.css", import.meta.url).href;
  if (document.querySelector(`link[href="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

function timeAgo(iso) {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  const format = new Intl.RelativeTimeFormat(document.documentElement.lang || undefined, {
    numeric: "auto",
  });
  if (seconds < 60) return format.format(-Math.round(seconds / 1), "second");
  if (seconds < 3600) return format.format(-Math.round(seconds / 60), "minute");
  if (seconds < 86400) return format.format(-Math.round(seconds / 3600), "hour");
  return format.format(-Math.round(seconds / 86400), "day");
}

export function setBadge(badge, count) {
  if (!badge) return;
  const value = Math.max(0, Number(count) || 0);
  badge.dataset.count = String(value);
  badge.textContent = value > 99 ? "99+" : String(value);
  badge.classList.toggle("d-none", value === 0);
}

function readForm(bell, notification, csrfInput) {
  const form = document.createElement("form");
  form.method = "post";
  form.action = bell.dataset.readUrlTemplate.replace("/0/", `/${notification.id}/`);
  if (csrfInput) form.append(csrfInput.cloneNode());
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "dropdown-item py-2 border-bottom";
  const title = document.createElement("div");
  title.className = notification.read ? "text-truncate" : "text-truncate unread";
  title.textContent = notification.title;
  const when = document.createElement("small");
  when.className = "text-body-secondary";
  when.textContent = timeAgo(notification.created_at);
  button.append(title, when);
  form.append(button);
  return form;
}

function renderItems(bell, container, results) {
  const csrfInput = bell.querySelector("#notification-read-form input[name=csrfmiddlewaretoken]");
  if (results.length === 0) {
    const empty = document.createElement("p");
    empty.className = "text-body-secondary small px-3 py-2 mb-0";
    empty.textContent = container.dataset.emptyText;
    container.replaceChildren(empty);
    return;
  }
  container.replaceChildren(...results.map((n) => readForm(bell, n, csrfInput)));
}

async function loadLatest(bell, badge) {
  const container = bell.querySelector("#notification-items");
  try {
    const response = await fetch(bell.dataset.latestUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    setBadge(badge, data.unread);
    renderItems(bell, container, data.results);
    bell.dataset.loaded = "1";
  } catch {
    const error = document.createElement("p");
    error.className = "text-danger small px-3 py-2 mb-0";
    error.textContent = container.dataset.errorText;
    container.replaceChildren(error);
  }
}

export function showToast(notification) {
  const container = document.getElementById("toasts");
  if (!container || !window.bootstrap) return;
  const toast = document.createElement("div");
  toast.className = "toast notification-toast";
  toast.setAttribute("role", "status");
  toast.setAttribute("aria-live", "polite");
  toast.setAttribute("aria-atomic", "true");
  const header = document.createElement("div");
  header.className = "toast-header";
  const icon = document.createElement("i");
  icon.className = "bi bi-bell-fill text-primary me-2";
  const title = document.createElement("strong");
  title.className = "me-auto text-truncate";
  title.textContent = notification.title;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.dataset.bsDismiss = "toast";
  close.setAttribute(
    "aria-label",
    document.getElementById("notification-bell")?.dataset.closeText || gettext("Close"),
  );
  header.append(icon, title, close);
  const body = document.createElement("div");
  body.className = "toast-body";
  if (notification.body) {
    const text = document.createElement("div");
    text.className = "text-break";
    text.textContent = notification.body;
    body.append(text);
  }
  if (notification.url && notification.url.startsWith("/")) {
    const link = document.createElement("a");
    link.href = notification.url;
    link.className = "small";
    link.textContent = document.getElementById("notification-bell")?.dataset.openText || gettext("Open");
    body.append(link);
  }
  toast.append(header, body);
  container.append(toast);
  toast.addEventListener("hidden.bs.toast", () => toast.remove());
  window.bootstrap.Toast.getOrCreateInstance(toast, { delay: TOAST_DELAY_MS }).show();
}

export function start() {
  const bell = document.getElementById("notification-bell");
  const wsPath = document.body.dataset.notificationsWs;
  if (!bell || !wsPath) return;
  loadStylesheet();
  const badge = bell.querySelector("#notification-badge");
  const toggle = bell.querySelector("#notification-bell-toggle");
  toggle.addEventListener("show.bs.dropdown", () => loadLatest(bell, badge));

  let opened = 0;
  connectWithBackoff(wsPath, {
    onStateChange(state) {
      document.body.dataset.notificationsSocket = state;
      if (state !== "open") return;
      opened += 1;
      // Back after a drop: catch up with what arrived meanwhile (badge and, if open, the list).
      if (opened > 1) loadLatest(bell, badge);
    },
    onMessage(message) {
      if (message.type === "notification") {
        setBadge(badge, message.unread);
        showToast(message.notification);
        if (toggle.getAttribute("aria-expanded") === "true") loadLatest(bell, badge);
      } else if (message.type === "unread") {
        setBadge(badge, message.unread);
      }
    },
  });
}

start();
