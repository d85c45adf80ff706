// The room's keyboard shortcuts: Alt+Shift and a letter (never a plain key, so that they do not
// clash with typing or with a screen reader's own keys: WCAG 2.1.4), listened to on the whole
// page, the chat's input included. Each presses the control it stands for, so that the control's
// own rules (locks, a missing device) still apply; the buttons carry the same keys in
// aria-keyshortcuts, and #shortcuts-dialog lists them (docs/accessibility.md too). Keys are read
// from `event.code` (the key's place): Alt+Shift+M types "Â" on a Mac, but its code is KeyM.
import { gettext } from "../../core/js/i18n.js";
import { announce } from "./announce.js";

// event.code -> action name
export const SHORTCUTS = {
  KeyM: "mic",
  KeyV: "camera",
  KeyH: "hand",
  KeyC: "chat",
  KeyL: "leave",
  KeyK: "help",
  Slash: "help", // Alt+? on a US keyboard
};

// The action of a keydown, or null: only Alt+Shift with one of the keys above, no Ctrl or Meta.
export function shortcutFor(event) {
  if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) return null;
  return SHORTCUTS[event.code] ?? null;
}

const visible = (el) => Boolean(el) && !el.hidden && el.getClientRects().length > 0;

export function initShortcuts({ root }) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("shortcuts-dialog");
  let opener = null; // what had the focus before the dialog opened

  // Shortcuts dialog: modal, closed by Escape or its button; the focus goes back to its opener.
  function openHelp() {
    if (!dialog || dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    $("shortcuts-close")?.focus();
  }
  $("btn-shortcuts")?.addEventListener("click", openHelp);
  $("shortcuts-close")?.addEventListener("click", () => dialog.close());
  dialog?.addEventListener("close", () => {
    if (opener?.isConnected && !opener.closest("[inert]")) opener.focus();
    opener = null;
  });
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog?.addEventListener("click", (event) => {
    if (event.target === dialog) {
      const box = dialog.getBoundingClientRect();
      const inside =
        event.clientX >= box.left &&
        event.clientX <= box.right &&
        event.clientY >= box.top &&
        event.clientY <= box.bottom;
      if (!inside) dialog.close();
    }
  });

  // Press a toggle; say its new state (the button may not have the focus to say it itself).
  function toggle(id, { on, off, unavailable }) {
    const button = $(id);
    if (!button || !visible(button)) return false;
    if (button.disabled) {
      // A locked device says why (its title is the reason: locks.js), a missing one that it is.
      announce(button.dataset.locked === "true" ? button.title : unavailable);
      return true;
    }
    button.click();
    announce(button.getAttribute("aria-pressed") === "true" ? off : on);
    return true;
  }

  function openChat() {
    const input = $("chat-input");
    const side = $("room-side");
    const focusChat = () => {
      if (input && !input.disabled) input.focus();
      else $("classroom")?.focus(); // the chat is locked: its messages can still be read
    };
    $("tab-chat")?.click(); // Bootstrap's tab: shown at once (no fade)
    const sheetToggle = $("btn-show-chat");
    if (visible(sheetToggle) && !side.classList.contains("show")) {
      // Phones: the panel is a bottom sheet; its focus trap takes the focus when it is shown.
      side.addEventListener("shown.bs.offcanvas", focusChat, { once: true });
      sheetToggle.click();
      return true;
    }
    focusChat();
    return true;
  }

  function leave() {
    const button = $("btn-leave");
    if (!visible(button)) return false;
    if (window.confirm(gettext("Leave the class?"))) button.click();
    return true;
  }

  const actions = {
    mic: () =>
      toggle("btn-mic", {
        on: gettext("Microphone on"),
        off: gettext("Microphone off"),
        unavailable: gettext("No microphone is available."),
      }),
    camera: () =>
      toggle("btn-camera", {
        on: gettext("Camera on"),
        off: gettext("Camera off"),
        unavailable: gettext("No camera is available."),
      }),
    // Said by controls.js once the server has it ("You raised your hand").
    hand: () => {
      const button = $("btn-hand");
      if (!visible(button) || button.disabled) return false;
      button.click();
      return true;
    },
    chat: openChat,
    leave,
    help: () => {
      openHelp();
      return true;
    },
  };

  document.addEventListener("keydown", (event) => {
    const action = shortcutFor(event);
    if (!action || event.repeat || event.defaultPrevented) return;
    if (root.hidden || root.inert) return; // waiting room, or the room has ended
    if (dialog?.open && action !== "help") return; // the dialog is modal
    if (actions[action]()) event.preventDefault();
  });
}
