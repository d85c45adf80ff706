// Material upload with a progress bar. Without this module the form is a normal POST.
// The server answers XMLHttpRequest posts with JSON: {ok, redirect} or {ok: false, errors}.
import { gettext, interpolate, pgettext } from '../../core/js/i18n.js';

function formatBytes(bytes) {
  const units = [
    pgettext('file size', 'B'),
    pgettext('file size', 'KB'),
    pgettext('file size', 'MB'),
    pgettext('file size', 'GB'),
  ];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  // The page's language writes the number ("1,5 MB" in French).
  const digits = unit ? 1 : 0;
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
  return `${number} ${units[unit]}`;
}

function showError(form, messages) {
  const box = form.querySelector('[data-upload-error]');
  if (!box) return;
  box.replaceChildren();
  messages.forEach((message) => {
    const line = document.createElement('div');
    line.textContent = message;
    box.appendChild(line);
  });
  box.classList.toggle('d-none', messages.length === 0);
}

function setProgress(form, percent) {
  const progress = form.querySelector('[data-upload-progress]');
  const bar = form.querySelector('[data-upload-bar]');
  if (!progress || !bar) return;
  progress.classList.remove('d-none');
  progress.setAttribute('aria-valuenow', String(percent));
  bar.style.width = `${percent}%`;
  bar.textContent = `${percent}%`;
}

function resetProgress(form) {
  const progress = form.querySelector('[data-upload-progress]');
  if (progress) progress.classList.add('d-none');
  const submit = form.querySelector('[data-upload-submit]');
  if (submit) submit.disabled = false;
}

function errorsFrom(xhr) {
  try {
    const data = JSON.parse(xhr.responseText);
    if (data && data.errors) return Object.values(data.errors).flat();
  } catch {
    // Not JSON (e.g. a proxy's "413 Request Entity Too Large" page).
  }
  if (xhr.status === 413) return [gettext('The file is too large.')];
  if (!xhr.status) return [gettext('The upload failed (network error).')];
  return [interpolate(gettext('The upload failed (%(status)s).'), { status: xhr.status })];
}

export function upload(form) {
  // Every file of every file input (a submission or an assignment takes several).
  const files = [...form.querySelectorAll('input[type=file]')].flatMap((input) => [...(input.files || [])]);
  const maxBytes = Number(form.dataset.maxBytes || 0);
  const tooLarge = files.filter((file) => maxBytes && file.size > maxBytes);
  if (tooLarge.length) {
    const limit = formatBytes(maxBytes);
    showError(
      form,
      tooLarge.map((file) => {
        const message = interpolate(gettext('The file is too large (%(size)s). The limit is %(limit)s.'), {
          size: formatBytes(file.size),
          limit,
        });
        if (files.length === 1) return message;
        return interpolate(gettext('%(file)s: %(error)s'), { file: file.name, error: message });
      }),
    );
    return;
  }
  showError(form, []);
  const submit = form.querySelector('[data-upload-submit]');
  if (submit) submit.disabled = true;
  setProgress(form, 0);

  const xhr = new XMLHttpRequest();
  xhr.open('POST', form.action);
  xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
  xhr.upload.addEventListener('progress', (event) => {
    if (event.lengthComputable) setProgress(form, Math.round((event.loaded / event.total) * 100));
  });
  xhr.addEventListener('load', () => {
    let data = null;
    try {
      data = JSON.parse(xhr.responseText);
    } catch {
      data = null;
    }
    if (xhr.status >= 200 && xhr.status < 300 && data && data.ok) {
      setProgress(form, 100);
      const target = new URL(data.redirect, window.location.href);
      if (target.pathname === window.location.pathname) {
        // Only the #hash differs: assign() would not reload, and the new material must show.
        window.location.hash = target.hash;
        window.location.reload();
      } else {
        window.location.assign(target.href);
      }
      return;
    }
    resetProgress(form);
    showError(form, errorsFrom(xhr));
  });
  xhr.addEventListener('error', () => {
    resetProgress(form);
    showError(form, errorsFrom(xhr));
  });
  xhr.send(new FormData(form));
}

document.querySelectorAll('form[data-upload]').forEach((form) => {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    upload(form);
  });
});
