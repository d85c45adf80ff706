// Processing state of recordings, for their teacher: poll each unfinished row every 2 s and
// update its badge, progress bar and failure reason; reload once one is ready (to show its links).
import { gettext, interpolate } from "../../core/js/i18n.js";

const POLL_MS = 2000;

function paintProgress(row) {
  const bar = row.querySelector(".recording-progress-bar");
  if (bar) bar.style.width = `${Number(bar.dataset.progress) || 0}%`;
}

// "45%", "45 %" in French: as the page's language writes a percentage.
function percent(value) {
  const format = new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "percent" });
  return format.format((Number(value) || 0) / 100);
}

function render(row, state) {
  row.dataset.status = state.status;
  const badge = row.querySelector(".recording-status");
  if (badge) {
    badge.textContent =
      state.status === "processing"
        ? interpolate(gettext("%(status)s %(percent)s"), {
            status: state.statusLabel,
            percent: percent(state.progress),
          })
        : state.statusLabel;
    badge.classList.toggle("text-bg-danger", state.status === "failed" || state.status === "recording");
    badge.classList.toggle("text-bg-info", state.status === "queued" || state.status === "processing");
  }
  const progress = row.querySelector(".recording-progress");
  if (progress) {
    progress.classList.toggle("d-none", state.status !== "processing");
    progress.setAttribute("aria-valuenow", String(state.progress));
  }
  const bar = row.querySelector(".recording-progress-bar");
  if (bar) {
    bar.dataset.progress = String(state.progress);
    paintProgress(row);
  }
  const reason = row.querySelector(".recording-reason");
  if (reason) reason.textContent = state.status === "failed" ? state.reason : "";
}

async function poll(row) {
  try {
    const response = await fetch(row.dataset.statusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return true; // deleted meanwhile: stop polling this row
    const state = await response.json();
    render(row, state);
    if (state.status === "ready") {
      window.location.reload();
      return true;
    }
    return state.status === "failed";
  } catch {
    return false; // offline for a moment: try again
  }
}

function watch(row) {
  const tick = async () => {
    if (!(await poll(row))) window.setTimeout(tick, POLL_MS);
  };
  window.setTimeout(tick, POLL_MS);
}

for (const row of document.querySelectorAll(".recording-row")) paintProgress(row);
for (const row of document.querySelectorAll(".recording-row[data-status-url]")) watch(row);
