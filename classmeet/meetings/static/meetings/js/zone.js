// The schedule form reads its times in the viewer's zone. When the profile names no zone, that
// is the browser's: on a first visit the server does not know it yet (it rendered the form in its
// default zone), so show the browser's zone in the hint, move a prefilled start to it, and send
// it with the form (the view reads the times in it).

// Minutes east of UTC of timeZone at that instant.
function offsetMinutes(date, timeZone) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  const match = /GMT([+-])(\d\d):(\d\d)/.exec(part ? part.value : "");
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

// "2026-12-06T20:56" read in fromZone, written as the browser's local "YYYY-MM-DDTHH:MM".
export function moveLocalValue(value, fromZone) {
  const match = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(value);
  if (!match) return value;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wall - offsetMinutes(new Date(wall), fromZone) * 60000;
  instant = wall - offsetMinutes(new Date(instant), fromZone) * 60000;
  const local = new Date(instant);
  const pad = (n) => String(n).padStart(2, "0");
  return (
    `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}` +
    `T${pad(local.getHours())}:${pad(local.getMinutes())}`
  );
}

export function useBrowserZone(form) {
  if (form.dataset.profileZone) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const serverZone = form.dataset.serverZone;
  if (!zone) return;
  for (const hint of form.querySelectorAll(".schedule-zone")) hint.textContent = zone;
  if (serverZone && serverZone !== zone) {
    for (const input of form.querySelectorAll('input[type="datetime-local"]')) {
      if (input.value) input.value = moveLocalValue(input.value, serverZone);
    }
  }
  let field = form.querySelector('input[name="browser_time_zone"]');
  if (!field) {
    field = document.createElement("input");
    field.type = "hidden";
    field.name = "browser_time_zone";
    form.append(field);
  }
  field.value = zone;
}

for (const form of document.querySelectorAll("form[data-server-zone]")) useBrowserZone(form);
