// The room's one polite live region (#room-announcer, outside #room so that it still speaks while
// the room is hidden): what happens out of sight is read by screen readers — who joins or leaves,
// hands, chat lines, polls, "you were muted", locks, the connection. Every module announces
// through here, never through a region of its own. Each announcement is a node appended to the
// region (aria-relevant="additions": read once, in order; old nodes are dropped unread). A burst
// is gathered for a moment first: the same text twice within DEDUPE_MS is read once, and several
// of one `group` (ten students joining at once) become one summary, `many(count)`.

const BURST_MS = 300; // gather a burst this long before reading it
const DEDUPE_MS = 3000; // the same text again within this long is not read again
const KEEP = 12; // nodes kept in the region (for the curious and for tests)

let region = null;
let pending = []; // {text, group, many}
let timer = null;
const lastRead = new Map(); // text -> Date.now() when read

function regionEl() {
  if (region?.isConnected) return region;
  region = document.getElementById("room-announcer");
  if (!region) {
    region = document.createElement("div");
    region.id = "room-announcer";
    region.className = "visually-hidden";
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-relevant", "additions");
    document.body.append(region);
  }
  return region;
}

// The burst as read: a group seen more than once becomes its summary, in the place of its first.
export function collapse(entries) {
  const counts = new Map();
  for (const { group } of entries) if (group) counts.set(group, (counts.get(group) ?? 0) + 1);
  const out = [];
  const summarised = new Set();
  for (const entry of entries) {
    const count = entry.group ? counts.get(entry.group) : 1;
    if (count > 1 && entry.many) {
      if (summarised.has(entry.group)) continue;
      summarised.add(entry.group);
      out.push(entry.many(count));
    } else {
      out.push(entry.text);
    }
  }
  return out;
}

function flush() {
  timer = null;
  const burst = pending;
  pending = [];
  const now = Date.now();
  const el = regionEl();
  for (const text of collapse(burst)) {
    if (!text || now - (lastRead.get(text) ?? -Infinity) < DEDUPE_MS) continue;
    lastRead.set(text, now);
    const line = document.createElement("p");
    line.textContent = text;
    el.append(line);
  }
  while (el.childElementCount > KEEP) el.firstElementChild.remove();
  for (const [text, at] of lastRead) if (now - at >= DEDUPE_MS) lastRead.delete(text);
}

// Say `text` politely. `group` and `many(count)`: a burst of the same group is read as one summary.
export function announce(text, { group = null, many = null } = {}) {
  if (!text) return;
  pending.push({ text, group, many });
  timer ??= setTimeout(flush, BURST_MS);
}
