// What the call does not need before it is up, loaded once it is (main.js says when):
// Bootstrap's script (the dropdowns, the tabs, the phone's side sheet: ~30 ms of the main thread
// that `welcome`, the offer and the answer waited behind), then the page's other modules (app.js,
// the notification bell and its own socket), which use Bootstrap's toasts.
//
// createLater({ bootstrapSrc, modules, bootstrapLatestMs, modulesLatestMs }) -> { bootstrap(), all() }
//   bootstrap(): load Bootstrap's script now (once);  all(): Bootstrap, then the modules (once).
// Each also happens by itself after its `LatestMs` (alone in the room, in the waiting room, no
// call). A click on a Bootstrap toggle before its script is in loads it at once and is replayed.

const TOGGLES = "[data-bs-toggle], [data-bs-dismiss]";

export function createLater({ bootstrapSrc, modules, bootstrapLatestMs, modulesLatestMs }) {
  let script = null; // Bootstrap's script: a promise once asked for
  let settled = false; // the script loaded, or failed to: clicks are no longer held
  let modulesAsked = false;

  function bootstrap() {
    script ??= new Promise((resolve) => {
      if (!bootstrapSrc || window.bootstrap) {
        resolve();
        return;
      }
      const element = document.createElement("script");
      element.src = bootstrapSrc;
      // Loaded or not, the page goes on (a missing script leaves its toggles inert, as before).
      element.addEventListener("load", () => resolve());
      element.addEventListener("error", () => resolve());
      document.head.append(element);
    }).then(() => {
      settled = true;
    });
    return script;
  }

  function all() {
    if (modulesAsked) return;
    modulesAsked = true;
    bootstrap().then(() => {
      for (const src of modules) import(src);
    });
  }

  // Capture phase: before the toggle's own handlers. Once the script is in, its click listener
  // (on the document) takes the replayed click; the guard then lets every click through.
  document.addEventListener(
    "click",
    (event) => {
      if (settled || window.bootstrap) return;
      const toggle = event.target instanceof Element ? event.target.closest(TOGGLES) : null;
      if (!toggle) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      bootstrap().then(() => {
        if (window.bootstrap && toggle.isConnected) toggle.click();
      });
    },
    true,
  );
  setTimeout(bootstrap, bootstrapLatestMs);
  setTimeout(all, modulesLatestMs);
  return { bootstrap, all };
}
