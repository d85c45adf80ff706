// The stage as this viewer arranges it: a shared screen or a tile the viewer pinned is shown large
// with the others in a strip, the stage goes full screen, and the side panel's tabs carry counts.
// DOM only: it listens to signaling but never sends (pinning is local to the viewer).

export function initStage({ root, signaling }) {
  const stage = document.getElementById("room-stage");
  const grid = document.getElementById("video-grid");
  const label = (key, name = "") => (root.dataset[key] ?? "").replace("{name}", name);
  // The local participant is "local" in the DOM; the server knows it by its peerId.
  const domId = (peerId) => (peerId === signaling.peerId ? "local" : peerId);
  const tileFor = (id) => grid.querySelector(`.tile[data-peer="${CSS.escape(id)}"]`);
  let pinned = null; // data-peer of the tile this viewer pinned
  let screens = []; // data-peer of the tiles showing a shared screen, the latest last
  let localScreen = false;

  function featured() {
    if (pinned && !tileFor(pinned)) pinned = null;
    return pinned ?? screens.findLast((id) => tileFor(id)) ?? null;
  }

  // Only attributes change here, and the observer below watches nodes and text: no loop.
  function render() {
    const featuredId = featured();
    const layout = featuredId ? "featured" : "grid";
    grid.dataset.layout = layout;
    stage.dataset.layout = layout;
    for (const tile of grid.querySelectorAll(".tile")) {
      const id = tile.dataset.peer;
      tile.classList.toggle("featured", id === featuredId);
      tile.classList.toggle("presenting", screens.includes(id));
      const pin = tile.querySelector(".tile-pin");
      if (!pin) continue;
      const on = id === pinned;
      const text = label(on ? "labelUnpin" : "labelPin", tile.querySelector(".tile-name")?.textContent);
      pin.setAttribute("aria-pressed", on ? "true" : "false");
      if (pin.getAttribute("aria-label") !== text) {
        pin.setAttribute("aria-label", text);
        pin.title = text;
      }
    }
  }
  new MutationObserver(render).observe(grid, { childList: true, subtree: true, characterData: true });

  grid.addEventListener("click", (event) => {
    const pin = event.target.closest(".tile-pin");
    if (!pin) return;
    const id = pin.closest(".tile").dataset.peer;
    pinned = pinned === id ? null : id;
    render();
  });

  function setScreen(id, on) {
    screens = screens.filter((s) => s !== id);
    if (on) screens.push(id);
    render();
  }
  signaling.on("media-state", (msg) => setScreen(domId(msg.peerId), msg.screen));
  signaling.on("room-state", (msg) => {
    screens = msg.media
      .filter((m) => m.screen && m.peerId !== signaling.peerId)
      .map((m) => m.peerId);
    if (localScreen) screens.push("local");
    render();
  });
  signaling.on("user-left", (msg) => setScreen(msg.peerId, false));

  // Full screen: the whole stage, control bar included. ---------------------------------------
  const fullscreen = document.getElementById("btn-fullscreen");
  if (!document.fullscreenEnabled || !stage.requestFullscreen) fullscreen.hidden = true;
  fullscreen.addEventListener("click", async () => {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await stage.requestFullscreen();
    } catch (err) {
      console.warn("classmeet: full screen refused", err);
    }
  });
  document.addEventListener("fullscreenchange", () => {
    const on = document.fullscreenElement === stage;
    const text = label(on ? "labelExitFullscreen" : "labelFullscreen");
    fullscreen.setAttribute("aria-pressed", on ? "true" : "false");
    fullscreen.title = text;
    fullscreen.querySelector(".visually-hidden").textContent = text;
    fullscreen.querySelector(".bi").className = on ? "bi bi-fullscreen-exit" : "bi bi-fullscreen";
  });

  // Side panel: the phone's bar buttons open the sheet on their tab; badges count raised hands
  // and chat lines that arrived while the chat was out of sight. ---------------------------------
  for (const button of document.querySelectorAll("[data-show-tab]")) {
    button.addEventListener("click", () => document.getElementById(button.dataset.showTab)?.click());
  }
  // One count of raised hands: the queue's (controls.js keeps it at the top of the Participants tab).
  const queue = document.getElementById("hand-queue");
  function countHands() {
    const raised = Number(document.getElementById("hand-queue-count")?.textContent) || 0;
    for (const badge of document.querySelectorAll(".hand-count")) {
      const icon = document.createElement("i");
      icon.className = "bi bi-hand-index-thumb-fill";
      icon.setAttribute("aria-hidden", "true");
      badge.replaceChildren(...(raised ? [icon, ` ${raised}`] : []));
      badge.classList.toggle("d-none", !raised);
    }
  }
  if (queue) {
    new MutationObserver(countHands).observe(queue, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  }

  const chatTab = document.getElementById("tab-chat");
  const side = document.getElementById("room-side");
  const sheet = () => window.matchMedia("(max-width: 575.98px)").matches;
  const chatInSight = () =>
    chatTab.classList.contains("active") && (!sheet() || side.classList.contains("show"));
  let unread = 0;
  function showUnread() {
    for (const badge of document.querySelectorAll(".unread-count")) {
      badge.textContent = unread ? String(unread) : "";
      badge.classList.toggle("d-none", !unread);
    }
  }
  signaling.on("chat", () => {
    if (chatInSight()) return;
    unread += 1;
    showUnread();
  });
  const seen = () => {
    if (!chatInSight()) return;
    unread = 0;
    showUnread();
  };
  chatTab.addEventListener("shown.bs.tab", seen);
  side.addEventListener("shown.bs.offcanvas", seen);

  // Small things the icon-only controls need. ---------------------------------------------------
  for (const close of stage.querySelectorAll("[data-dismiss-banner]")) {
    close.addEventListener("click", () => close.closest(".alert").classList.add("d-none"));
  }
  const hand = document.getElementById("btn-hand");
  if (hand) {
    new MutationObserver(() => {
      hand.title = hand.querySelector(".hand-label")?.textContent ?? hand.title;
    }).observe(hand, { attributes: true, attributeFilter: ["aria-pressed"] });
  }
  const settings = document.getElementById("device-settings");
  document.addEventListener("click", (event) => {
    if (settings.open && !settings.contains(event.target)) settings.open = false;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !settings.open) return;
    settings.open = false;
    settings.querySelector("summary").focus();
  });

  render();
  countHands();
  return {
    // This page's own screen share (main.js): presented like anybody else's.
    setLocalScreen(on) {
      localScreen = on;
      setScreen("local", on);
    },
    // The room ended for this page (ending.js): nothing of the layout may stay over the end
    // screen (a full-screen stage, the phone's sheet and its backdrop, an open popover).
    end() {
      if (document.fullscreenElement) document.exitFullscreen().catch(() => null);
      settings.open = false;
      document.getElementById("shortcuts-dialog")?.close();
      const bootstrap = window.bootstrap;
      bootstrap?.Offcanvas.getInstance(side)?.hide();
      bootstrap?.Dropdown.getInstance(document.getElementById("btn-info"))?.hide();
    },
  };
}
