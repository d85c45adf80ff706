// The take page's countdown to the server's deadline. The page says when the attempt ends and
// what the server's clock read when it rendered; the countdown corrects for the browser's clock
// by that difference. The server enforces the deadline itself: this only tells the student, and
// submits the attempt when the time is up (what was saved counts either way).

export function remainingSeconds(deadlineMs, nowMs) {
  return Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
}

export function formatRemaining(seconds) {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const secs = seconds % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(secs)}` : `${pad(minutes)}:${pad(secs)}`;
}

// Announced to screen readers only at these marks, not every second.
const ANNOUNCE_AT = new Set([600, 300, 60, 30, 0]);

export function startTimer(box, submitForm, clock = () => Date.now()) {
  const deadline = Date.parse(box.dataset.deadline);
  const serverNow = Date.parse(box.dataset.serverNow);
  if (Number.isNaN(deadline) || Number.isNaN(serverNow)) return null;
  const skew = serverNow - clock();
  const label = box.querySelector(".quiz-timer-label");
  const value = box.querySelector(".quiz-timer-value");
  const live = box.querySelector(".quiz-timer-live");
  let timer = null;
  const tick = () => {
    const left = remainingSeconds(deadline, clock() + skew);
    label.textContent = box.dataset.labelLeft;
    value.textContent = formatRemaining(left);
    if (ANNOUNCE_AT.has(left)) {
      live.textContent = left > 0 ? `${box.dataset.labelLeft} ${formatRemaining(left)}` : box.dataset.labelUp;
    }
    if (left === 0) {
      clearInterval(timer);
      label.textContent = box.dataset.labelUp;
      value.textContent = "";
      box.classList.add("border-danger");
      // submit() skips the submit event: no "are you sure" question when the time is up.
      if (submitForm) submitForm.submit();
    } else if (left <= 60) {
      box.classList.add("border-warning");
    }
  };
  tick();
  timer = setInterval(tick, 1000);
  return timer;
}

const box = document.getElementById("quiz-timer");
if (box) startTimer(box, document.getElementById("quiz-submit-form"));
