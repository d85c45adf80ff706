// The live room's stylesheet: one file with only the rules the room page can use. Before the
// room's script runs, the browser loads and parses every stylesheet of the page and styles and
// lays it out once: Bootstrap's full CSS (232 kB) and the icon font's (87 kB, ~2,000 icons) were
// most of that work, for ~40 icons and a few components. PurgeCSS keeps the rules whose classes,
// ids, elements or attributes appear in what can be on the room page: its templates, the room's
// bundle, the modules it loads after the call (app.js, the bell) and Bootstrap's script (the
// classes it adds: show, offcanvas-backdrop, ...). Custom properties, @font-face and @keyframes
// are all kept. Then the site's app.css (itself purged) and the room's own stylesheets, whole and
// in the order the other pages load them. Used by build_assets.mjs, after bundleRoom.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PurgeCSS } from "purgecss";

// What the room page is made of (relative to the project's root).
const TEMPLATES = [
  "classmeet/templates/base.html",
  "classmeet/rooms/templates/rooms/*.html",
  "classmeet/recordings/templates/recordings/_room_recorder.html",
  "classmeet/notifications/templates/notifications/_bell.html",
];
const SCRIPTS = [
  "build/static/bundle/rooms/js/*.js",
  "classmeet/core/static/core/js/app.js",
  "classmeet/notifications/static/notifications/js/*.js",
  "node_modules/bootstrap/dist/js/bootstrap.bundle.min.js",
];
// Classes made by the templates from a value: base.html's messages (alert-{{ message.tags }}).
const SAFELIST = [/^alert-(success|info|warning|danger)$/];
// Attributes that Bootstrap's script sets under another spelling (setDataAttribute("popper")).
const DYNAMIC_ATTRIBUTES = ["data-bs-popper", "data-popper-placement"];

// The icon font's files stay in the vendor folder (build_assets.mjs copies them there).
const ICON_FONTS = ["url(\"fonts/", "url(\"../../../vendor/bootstrap-icons/fonts/"];

// Two twins: room.css from Bootstrap's build, room.rtl.css from its right-to-left build (room.html
// picks by the language's direction); the room's own stylesheets use logical properties and are
// the same in both.
const VARIANTS = [
  { bootstrap: "bootstrap.min.css", target: "room.css" },
  { bootstrap: "bootstrap.rtl.min.css", target: "room.rtl.css" },
];

export async function buildRoomStyles({ root, out }) {
  for (const variant of VARIANTS) {
    await buildRoomStylesheet({ root, out, ...variant });
  }
}

async function buildRoomStylesheet({ root, out, bootstrap, target: name }) {
  const file = (path) => join(root, path);
  const sources = [
    file(`node_modules/bootstrap/dist/css/${bootstrap}`),
    file("node_modules/bootstrap-icons/font/bootstrap-icons.min.css"),
    file("classmeet/core/static/core/css/app.css"),
  ];
  const purged = await new PurgeCSS().purge({
    content: [...TEMPLATES, ...SCRIPTS].map(file),
    css: sources,
    safelist: { standard: SAFELIST },
    dynamicAttributes: DYNAMIC_ATTRIBUTES,
    fontFace: false,
    keyframes: false,
    variables: false,
  });
  const own = ["rooms/css/room.css", "rooms/css/classroom.css"].map((path) =>
    readFileSync(file(`classmeet/rooms/static/${path}`), "utf8"),
  );
  const css = [...purged.map((result) => result.css), ...own]
    .join("\n")
    // The vendor files' source maps are not in this file: no dangling reference to them.
    .replaceAll(/\/\*# sourceMappingURL=[^*]*\*\//g, "")
    .replaceAll(...ICON_FONTS);
  const target = join(out, "rooms", "css", name);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, css);
  console.log(`room stylesheet written to ${target} (${Math.round(css.length / 1024)} kB)`);
}
