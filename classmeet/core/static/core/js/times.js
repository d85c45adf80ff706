// The one way a page shows a time it renders itself, the same as the server's `when` filter
// (core/times.py): 24-hour, in the viewer's zone (the one the server renders with, given on
// <html data-time-zone>), followed by the zone's label ("21:56 CET").

function pageZone() {
  const root = document.documentElement.dataset;
  return {
    timeZone: root.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    label: root.timeZoneLabel || "",
    offset: root.timeZoneOffset,
  };
}

// "UTC", "UTC+05:30": the offset of timeZone at that moment, spelled like core/times.py.
function offsetLabel(date, timeZone) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  const value = part ? part.value.replace("GMT", "") : "";
  return value ? `UTC${value}` : "UTC";
}

function offsetMinutes(label) {
  const match = /^UTC([+-])(\d\d):(\d\d)$/.exec(label);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

// The server's letters for the zone ("CET") while the moment has the offset the server saw;
// across a daylight-saving change, the offset itself.
export function zoneLabel(date, zone = pageZone()) {
  const offset = offsetLabel(date, zone.timeZone);
  if (zone.label && String(offsetMinutes(offset)) === String(zone.offset)) return zone.label;
  return offset;
}

export function formatTime(value, { seconds = false, zone = pageZone() } = {}) {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const text = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    timeZone: zone.timeZone,
    hour: "2-digit",
    minute: "2-digit",
    second: seconds ? "2-digit" : undefined,
    hourCycle: "h23",
  }).format(date);
  return `${text} ${zoneLabel(date, zone)}`;
}

// A <time> element like the server's: the instant in `datetime`, the zone's name as its title.
export function timeElement(value, options = {}) {
  const element = document.createElement("time");
  const date = new Date(value);
  if (!Number.isNaN(date.getTime())) element.dateTime = date.toISOString();
  element.title = (options.zone || pageZone()).timeZone;
  element.textContent = formatTime(date, options);
  return element;
}
