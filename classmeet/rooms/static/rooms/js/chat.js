// Room chat: history from `room-state`, live `chat` lines, teacher deletion (`chat-delete`).
// User text reaches the DOM only through textContent. Message types match protocol.py.
import { timeElement } from "../../core/js/times.js";

export function initChat({ box, signaling }) {
  const list = document.getElementById("chat-messages");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const errorEl = document.getElementById("chat-error");
  const canControl = box.dataset.canControl === "true";
  let errorTimer = null;

  function showError(text) {
    errorEl.textContent = text;
    errorEl.classList.toggle("d-none", !text);
    clearTimeout(errorTimer);
    if (text) errorTimer = setTimeout(() => showError(""), 6000);
  }

  function render(line) {
    if (list.querySelector(`li[data-message-id="${line.id}"]`)) return;
    const item = document.createElement("li");
    item.className = "chat-line mb-2";
    item.dataset.messageId = String(line.id);
    const head = document.createElement("div");
    head.className = "d-flex justify-content-between gap-2 small";
    const who = document.createElement("strong");
    who.className = "chat-author text-truncate";
    who.textContent = line.fromName;
    const when = timeElement(line.sentAt);
    when.className = "text-body-secondary text-nowrap";
    head.append(who, when);
    const body = document.createElement("div");
    body.className = "chat-text text-break";
    body.textContent = line.text;
    item.append(head, body);
    if (canControl) {
      const del = document.createElement("button");
      del.type = "button";
      del.className = "btn btn-link btn-sm p-0 text-danger chat-delete";
      del.textContent = box.dataset.labelDelete;
      del.addEventListener("click", () => signaling.send({ type: "chat-delete", id: line.id }));
      item.append(del);
    }
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 8;
    list.append(item);
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  signaling.on("room-state", (msg) => {
    list.replaceChildren();
    for (const line of msg.chat) render(line);
    list.scrollTop = list.scrollHeight;
  });
  signaling.on("chat", render);
  signaling.on("chat-deleted", (msg) => {
    list.querySelector(`li[data-message-id="${Number(msg.id)}"]`)?.remove();
  });
  signaling.on("error", (msg) => {
    if (["rate-limited", "bad-message", "not-found", "forbidden"].includes(msg.code)) {
      showError(msg.message);
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (signaling.send({ type: "chat", text })) {
      input.value = "";
      showError("");
    }
  });
}
