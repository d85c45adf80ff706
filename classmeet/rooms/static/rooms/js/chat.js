// Room chat: history from `room-state`, live `chat` lines, teacher deletion (`chat-delete`), and
// private lines: `chat` with `to` (a peerId) chosen in "To:" (students: Everyone or the staff in
// the room; staff: anyone). User text reaches the DOM only through textContent. Message types
// match protocol.py.
import { timeElement } from "../../core/js/times.js";
import { gettext, interpolate } from "../../core/js/i18n.js";
import { announce } from "./announce.js";

export function initChat({ box, signaling }) {
  const list = document.getElementById("chat-messages");
  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const errorEl = document.getElementById("chat-error");
  const toSelect = document.getElementById("chat-to");
  const canControl = box.dataset.canControl === "true";
  const myUserId = Number(box.dataset.userId);
  const label = (key, values = {}) =>
    Object.entries(values).reduce(
      (text, [name, value]) => text.replace(`{${name}}`, value),
      box.dataset[key] ?? "",
    );
  let errorTimer = null;
  const people = new Map(); // peerId -> {userId, name} of the others in the room
  let staff = new Set(); // user ids of the course's teacher and assistants (room-state)

  function showError(text) {
    errorEl.textContent = text;
    errorEl.classList.toggle("d-none", !text);
    clearTimeout(errorTimer);
    if (text) errorTimer = setTimeout(() => showError(""), 6000);
  }

  // "To:" lists one option per user (any of its tabs: the server reaches all of them). --------
  function fillRecipients() {
    const chosen = toSelect.selectedOptions[0]?.dataset.userId ?? "";
    const users = new Map(); // userId -> {peerId, name}
    for (const [peerId, p] of people) {
      if (p.userId === myUserId || users.has(p.userId)) continue;
      if (canControl || staff.has(p.userId)) users.set(p.userId, { peerId, name: p.name });
    }
    const options = [...users.entries()]
      .sort((a, b) => a[1].name.localeCompare(b[1].name))
      .map(([userId, p]) => {
        const option = document.createElement("option");
        option.value = p.peerId;
        option.dataset.userId = String(userId);
        option.textContent = p.name;
        return option;
      });
    toSelect.replaceChildren(toSelect.options[0], ...options);
    chooseUser(chosen);
  }

  function chooseUser(userId) {
    const option = [...toSelect.options].find((o) => o.dataset.userId === String(userId));
    toSelect.value = option ? option.value : "";
    updatePlaceholder();
  }

  function updatePlaceholder() {
    const option = toSelect.selectedOptions[0];
    input.placeholder = option?.value
      ? label("labelWritePrivate", { name: option.textContent })
      : label("labelWriteAll");
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
    item.append(head);
    const isPrivate = line.toUserId !== null && line.toUserId !== undefined;
    if (isPrivate) {
      // Marked for the eye (colour, border) and in words, read before the text.
      item.classList.add("chat-private");
      item.dataset.private = "true";
      const mine = line.fromUserId === myUserId;
      const name = line.toUserId === myUserId ? label("labelPrivateYou") : line.toName;
      const tag = document.createElement("div");
      tag.className = "chat-private-badge small";
      tag.textContent = label("labelPrivateTo", { name });
      item.append(tag);
      // Replying preselects the other side of the conversation.
      const otherId = mine ? line.toUserId : line.fromUserId;
      const otherName = mine ? line.toName : line.fromName;
      const reply = document.createElement("button");
      reply.type = "button";
      reply.className = "btn btn-link btn-sm p-0 me-2 chat-reply";
      reply.textContent = label("labelReply");
      reply.setAttribute("aria-label", label("labelReplyTo", { name: otherName }));
      reply.addEventListener("click", () => {
        chooseUser(otherId);
        input.focus();
      });
      item.append(body, reply);
    } else {
      item.append(body);
    }
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

  signaling.on("welcome", (msg) => {
    people.clear();
    for (const p of msg.participants) people.set(p.peerId, { userId: p.userId, name: p.name });
    fillRecipients();
  });
  signaling.on("user-joined", (msg) => {
    people.set(msg.peerId, { userId: msg.userId, name: msg.name });
    fillRecipients();
  });
  signaling.on("user-left", (msg) => {
    people.delete(msg.peerId);
    fillRecipients();
  });
  signaling.on("room-state", (msg) => {
    staff = new Set(msg.staffUserIds ?? []);
    fillRecipients();
    list.replaceChildren();
    for (const line of msg.chat) render(line);
    list.scrollTop = list.scrollHeight;
  });
  // A new line is read out (the list itself is no live region: the history would be read too).
  function announceLine(line) {
    const mine = line.fromUserId === myUserId;
    const isPrivate = line.toUserId !== null && line.toUserId !== undefined;
    let text;
    if (mine) text = isPrivate ? gettext("Private message sent: %(text)s") : gettext("Message sent: %(text)s");
    else if (isPrivate) text = gettext("Private message from %(name)s: %(text)s");
    else text = gettext("%(name)s wrote: %(text)s");
    announce(interpolate(text, { name: line.fromName, text: line.text }));
  }
  signaling.on("chat", (line) => {
    const known = list.querySelector(`li[data-message-id="${line.id}"]`);
    render(line);
    if (!known) announceLine(line);
  });
  signaling.on("chat-deleted", (msg) => {
    list.querySelector(`li[data-message-id="${Number(msg.id)}"]`)?.remove();
  });
  let privateSentAt = 0; // `unknown-peer` is this chat's only just after a private line
  signaling.on("error", (msg) => {
    const mine = msg.code === "unknown-peer" && Date.now() - privateSentAt < 5000;
    if (mine || ["rate-limited", "bad-message", "not-found", "forbidden"].includes(msg.code)) {
      showError(msg.message);
    }
  });

  toSelect.addEventListener("change", updatePlaceholder);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const to = toSelect.value;
    if (to) privateSentAt = Date.now();
    if (signaling.send(to ? { type: "chat", text, to } : { type: "chat", text })) {
      input.value = "";
      showError("");
    }
  });
}
