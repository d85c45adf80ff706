// Copy buttons: <button data-copy="text">. Shows a tick for a moment when it worked.
function flash(button) {
  const icon = button.querySelector('i');
  if (!icon) return;
  const before = icon.className;
  icon.className = 'bi bi-check-lg';
  window.setTimeout(() => { icon.className = before; }, 1500);
}

export function initCopyButtons(root = document) {
  root.querySelectorAll('[data-copy]').forEach((button) => {
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        flash(button);
      } catch {
        // Clipboard unavailable (http, old browser): the value stays visible to copy by hand.
      }
    });
  });
}

initCopyButtons();
