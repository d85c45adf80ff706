// Polls and live quizzes: the question card over the stage (students answer; staff watch the
// live results and close it), the staff's form to open one (new, or a prepared question of the
// course), and the results chart, drawn here with plain elements. User text reaches the DOM only
// through textContent. Message types match protocol.py (poll-open, poll, poll-answer,
// poll-results, poll-close). A new poll and the final results are read out (announce.js).
import { gettext, interpolate } from "../../core/js/i18n.js";
import { announce } from "./announce.js";

// (show() has an `announce` flag of its own.)
const sayPoll = (text) => announce(text);

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 10;

// Seconds left of a poll when its frame arrived (null: open until staff close it). The server's
// `secondsLeft` is the rule: the browser's clock may differ from the server's; `closesAt` read on
// this clock only stands in when a frame lacks it.
export function secondsLeftAt(msg, nowMs = Date.now()) {
  if (typeof msg.secondsLeft === "number") return Math.max(0, msg.secondsLeft);
  if (!msg.closesAt) return null;
  const closes = Date.parse(msg.closesAt);
  return Number.isNaN(closes) ? null : Math.max(0, (closes - nowMs) / 1000);
}

export function formatSeconds(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// Each option's share of the answers, in whole percent (0 when nobody answered).
export function shares(counts, answered) {
  const total = answered || counts.reduce((sum, n) => sum + n, 0);
  return counts.map((n) => (total ? Math.round((n * 100) / total) : 0));
}

const fill = (text, values) =>
  Object.entries(values).reduce((out, [key, value]) => out.replaceAll(`{${key}}`, value), text);

export function initPolls({ signaling }) {
  const card = document.getElementById("poll-card");
  if (!card) return;
  const canControl = card.dataset.canControl === "true";
  const label = (key, values = {}) => fill(card.dataset[key] ?? "", values);
  const $ = (id) => document.getElementById(id);
  const questionEl = $("poll-question");
  const timerEl = $("poll-timer");
  const hintEl = $("poll-hint");
  const optionsEl = $("poll-options");
  const submitEl = $("poll-submit");
  const resultsEl = $("poll-results");
  const statusEl = $("poll-status");
  const errorEl = $("poll-error");
  const hideEl = $("poll-hide");
  const closeEl = $("poll-close");
  const form = $("poll-form"); // staff only
  const formError = $("poll-form-error");

  let poll = null; // {pollId, question, options, multiple, closed}
  let chosen = new Set(); // this student's answer (option indexes)
  let sentChoice = null; // the answer last sent, as sent
  let deadline = null; // performance.now() at which the poll's time is up
  let timer = null;
  let lastAction = { at: -Infinity, where: errorEl }; // the last poll message this page sent
  const errorTimers = new Map();

  function showError(text, el = errorEl) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle("d-none", !text);
    clearTimeout(errorTimers.get(el));
    if (text) errorTimers.set(el, setTimeout(() => showError("", el), 8000));
  }

  // `where`: the element that shows the server's refusal of this message, if one comes.
  function send(msg, where = errorEl) {
    lastAction = { at: performance.now(), where };
    showError("", where);
    return signaling.send(msg);
  }

  // Countdown ----------------------------------------------------------------------------------
  function tick() {
    if (deadline === null || poll?.closed) {
      timerEl.hidden = true;
      return;
    }
    const left = (deadline - performance.now()) / 1000;
    timerEl.hidden = false;
    const time = formatSeconds(left);
    timerEl.textContent = left > 0 ? time : label("labelTimeUp");
    const spoken = left > 0 ? label("labelLeft", { time }) : label("labelTimeUp");
    timerEl.setAttribute("aria-label", spoken);
    timerEl.classList.toggle("text-bg-secondary", left > 10);
    timerEl.classList.toggle("text-bg-warning", left <= 10);
  }
  function startTimer(msg) {
    clearInterval(timer);
    const left = secondsLeftAt(msg);
    // The time left at receipt, counted down on the page's monotonic clock: a wrong or changed
    // wall clock on this device moves nothing.
    deadline = left === null ? null : performance.now() + left * 1000;
    tick();
    if (deadline !== null) timer = setInterval(tick, 250);
  }

  // The question ---------------------------------------------------------------------------------
  function renderOptions() {
    optionsEl.replaceChildren();
    if (canControl || !poll || poll.closed) {
      optionsEl.hidden = true;
      submitEl.hidden = true;
      return;
    }
    optionsEl.hidden = false;
    poll.options.forEach((text, index) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-primary poll-option";
      button.dataset.index = String(index);
      button.setAttribute("aria-pressed", chosen.has(index) ? "true" : "false");
      const mark = document.createElement("span");
      mark.className = "poll-option-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = String.fromCharCode(65 + index);
      const body = document.createElement("span");
      body.className = "poll-option-text text-break";
      body.textContent = text;
      button.append(mark, body);
      optionsEl.append(button);
    });
    submitEl.hidden = !poll.multiple;
  }

  function markChosen() {
    for (const button of optionsEl.querySelectorAll(".poll-option")) {
      const on = chosen.has(Number(button.dataset.index));
      button.setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  optionsEl.addEventListener("click", (event) => {
    const button = event.target.closest(".poll-option");
    if (!button || !poll || poll.closed) return;
    const index = Number(button.dataset.index);
    if (poll.multiple) {
      if (chosen.has(index)) chosen.delete(index);
      else chosen.add(index);
      markChosen();
      statusEl.textContent = "";
      return;
    }
    chosen = new Set([index]);
    markChosen();
    answer(index);
  });
  submitEl.addEventListener("click", () => {
    if (!poll || poll.closed) return;
    if (!chosen.size) {
      showError(label("labelPickOne"));
      return;
    }
    answer([...chosen].sort((a, b) => a - b));
  });
  function answer(choice) {
    send({ type: "poll-answer", pollId: poll.pollId, choice });
  }
  // The server kept this answer (`poll-answered`): it is the one that counts until the poll closes.
  function confirmAnswer(choice) {
    sentChoice = choice;
    chosen = new Set(choice);
    markChosen();
    statusEl.textContent = label("labelSent");
  }

  function show(msg, { announce }) {
    const same = poll?.pollId === msg.pollId;
    poll = {
      pollId: msg.pollId,
      question: msg.question,
      options: msg.options,
      multiple: Boolean(msg.multiple),
      closed: false,
    };
    if (!same) {
      chosen = new Set();
      sentChoice = null;
      statusEl.textContent = "";
      resultsEl.replaceChildren();
    }
    // A late joiner's or a reconnected page's own answer (room-state), as a list of indexes.
    if (Array.isArray(msg.answer)) confirmAnswer(msg.answer);
    questionEl.textContent = msg.question;
    hintEl.textContent = canControl
      ? label("labelStaff")
      : label(poll.multiple ? "labelMultiple" : "labelSingle");
    resultsEl.hidden = !canControl;
    hideEl.hidden = true;
    if (closeEl) closeEl.hidden = false;
    card.dataset.state = "open";
    card.dataset.pollId = String(msg.pollId);
    card.hidden = false;
    renderOptions();
    showError("");
    startTimer(msg);
    if (canControl && !same) {
      renderResults({ counts: msg.options.map(() => 0), answered: 0 }); // until the first results
    }
    if (announce && !same) sayPoll(label("labelNew", { question: msg.question }));
  }

  // The results chart: one row per option, a bar as wide as its share. -------------------------
  function renderResults(msg) {
    const counts = msg.counts ?? [];
    const correct = new Set(msg.correct ?? []);
    const percents = shares(counts, msg.answered);
    const mine = new Set(sentChoice ?? []);
    const rows = (poll?.options ?? counts.map((_, i) => String(i + 1))).map((text, index) => {
      const row = document.createElement("li");
      row.className = "poll-result";
      row.dataset.index = String(index);
      row.dataset.count = String(counts[index] ?? 0);
      const head = document.createElement("div");
      head.className = "poll-result-head";
      const name = document.createElement("span");
      name.className = "poll-result-text text-break";
      name.textContent = `${String.fromCharCode(65 + index)}. ${text}`;
      head.append(name);
      if (correct.has(index)) {
        row.classList.add("poll-correct");
        const ok = document.createElement("i");
        ok.className = "bi bi-check-circle-fill poll-correct-mark";
        ok.setAttribute("role", "img");
        ok.setAttribute("aria-label", label("labelCorrect"));
        ok.title = label("labelCorrect");
        head.append(ok);
      }
      if (!canControl && mine.has(index)) {
        row.classList.add("poll-mine");
        const you = document.createElement("span");
        you.className = "badge text-bg-primary poll-mine-mark";
        you.textContent = label("labelYours");
        head.append(you);
      }
      const figure = document.createElement("span");
      figure.className = "poll-result-count";
      figure.textContent = label("labelCount", {
        count: counts[index] ?? 0,
        percent: percents[index] ?? 0,
      });
      head.append(figure);
      const track = document.createElement("div");
      track.className = "poll-bar-track";
      track.setAttribute("aria-hidden", "true");
      const bar = document.createElement("div");
      bar.className = "poll-bar";
      bar.style.width = `${percents[index] ?? 0}%`; // CSSOM: allowed by the page's CSP
      track.append(bar);
      row.append(head, track);
      return row;
    });
    resultsEl.replaceChildren(...rows);
    resultsEl.hidden = false;
    resultsEl.dataset.answered = String(msg.answered ?? 0);
    if (msg.present !== undefined) {
      statusEl.textContent = label("labelAnswered", {
        answered: msg.answered ?? 0,
        present: msg.present,
      });
    }
  }

  function finish(msg) {
    if (poll?.pollId !== msg.pollId) {
      const options = msg.counts.map((_, i) => String(i + 1));
      poll = { pollId: msg.pollId, question: "", options, multiple: false };
    }
    poll.closed = true;
    clearInterval(timer);
    deadline = null;
    tick();
    card.dataset.state = "closed";
    card.hidden = false;
    renderOptions();
    renderResults(msg);
    hintEl.textContent = label("labelFinal");
    hideEl.hidden = false;
    if (closeEl) closeEl.hidden = true;
    const summary = (poll.options ?? [])
      .map((text, i) =>
        interpolate(gettext("%(option)s: %(count)s"), { option: text, count: msg.counts[i] ?? 0 }),
      )
      .join(", ");
    sayPoll(label("labelClosed", { results: summary }));
  }

  function hide() {
    clearInterval(timer);
    deadline = null;
    poll = null;
    card.hidden = true;
    card.dataset.state = "";
  }

  signaling.on("poll", (msg) => {
    show(msg, { announce: true });
    if (lastAction.where === formError && form) resetForm(); // this page's poll is open
  });
  signaling.on("poll-answered", (msg) => {
    if (poll && poll.pollId === msg.pollId && !poll.closed) confirmAnswer(msg.choice);
  });
  signaling.on("poll-results", (msg) => {
    if (msg.final) finish(msg);
    else if (poll && poll.pollId === msg.pollId && !poll.closed) renderResults(msg);
  });
  signaling.on("room-state", (msg) => {
    if (msg.poll) {
      show(msg.poll, { announce: poll?.pollId !== msg.poll.pollId });
      if (msg.pollResults?.pollId === msg.poll.pollId) renderResults(msg.pollResults);
    } else if (poll && !poll.closed) {
      hide(); // it closed while this page was away: its results were missed
    }
  });
  // The server's refusals of this page's poll messages (the frame names no message: the last
  // one sent in the last few seconds is the one refused).
  signaling.on("error", (msg) => {
    const recent = performance.now() - lastAction.at < 3000;
    if (recent) showError(msg.message, lastAction.where);
    else if (String(msg.code).startsWith("poll")) showError(msg.message);
  });

  hideEl.addEventListener("click", hide);
  closeEl?.addEventListener("click", () => {
    if (poll && !poll.closed) send({ type: "poll-close", pollId: poll.pollId });
  });

  // The staff's form ---------------------------------------------------------------------------
  if (!form) return;
  const formLabel = (key, values) => fill(form.dataset[key] ?? "", values);
  const list = $("poll-option-list");
  const rowTemplate = $("poll-option-template").content.firstElementChild;
  const addButton = $("poll-add-option");
  const prepared = $("poll-prepared");
  const custom = $("poll-custom");

  function renumber() {
    const rows = [...list.children];
    rows.forEach((row, i) => {
      const n = { n: String.fromCharCode(65 + i) };
      const text = row.querySelector(".poll-option-text");
      text.setAttribute("aria-label", formLabel("labelOption", n));
      text.placeholder = formLabel("labelOption", n);
      const correct = row.querySelector(".poll-option-correct");
      correct.setAttribute("aria-label", formLabel("labelCorrectOf", n));
      const remove = row.querySelector(".poll-option-remove");
      remove.setAttribute("aria-label", formLabel("labelRemoveOf", n));
      remove.title = formLabel("labelRemoveOf", n);
      remove.disabled = rows.length <= MIN_OPTIONS;
    });
    addButton.disabled = rows.length >= MAX_OPTIONS;
  }
  function addOption(focus = false) {
    if (list.children.length >= MAX_OPTIONS) return;
    const row = rowTemplate.cloneNode(true);
    list.append(row);
    renumber();
    if (focus) row.querySelector(".poll-option-text").focus();
  }
  list.addEventListener("click", (event) => {
    const remove = event.target.closest(".poll-option-remove");
    if (!remove || list.children.length <= MIN_OPTIONS) return;
    const row = remove.closest("li");
    const next = row.nextElementSibling ?? row.previousElementSibling;
    row.remove();
    renumber();
    next?.querySelector(".poll-option-text").focus();
  });
  addButton.addEventListener("click", () => addOption(true));

  function resetForm() {
    form.reset();
    custom.disabled = false;
    list.replaceChildren();
    for (let i = 0; i < MIN_OPTIONS; i += 1) addOption();
  }

  // A prepared question brings its own text, options and right answers.
  prepared?.addEventListener("change", () => {
    custom.disabled = Boolean(prepared.value);
  });
  resetForm();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number($("poll-seconds").value) || null;
    let msg;
    if (prepared?.value) {
      msg = { type: "poll-open", questionId: Number(prepared.value) };
    } else {
      const rows = [...list.children];
      msg = {
        type: "poll-open",
        question: $("poll-question-input").value.trim(),
        options: rows.map((row) => row.querySelector(".poll-option-text").value.trim()),
        multiple: $("poll-multiple").checked,
      };
      const correct = rows
        .map((row, i) => (row.querySelector(".poll-option-correct").checked ? i : -1))
        .filter((i) => i >= 0);
      if (correct.length > 1 && !msg.multiple) {
        showError(form.dataset.msgOneCorrect ?? "", formError);
        return;
      }
      if (correct.length) msg.correct = correct;
    }
    if (seconds) msg.seconds = seconds;
    if ($("poll-anonymous").checked) msg.anonymous = true;
    send(msg, formError);
  });
}
