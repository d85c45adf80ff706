// Copy the front-end libraries from node_modules into build/static/vendor, where Django's
// staticfiles finds them. Nothing is loaded from a CDN.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleRoom } from "./bundle_room.mjs";
import { buildRoomStyles } from "./room_styles.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static", "vendor");
const copies = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/css/bootstrap.min.css.map"],
  // Right-to-left languages (settings.LANGUAGES_BIDI): base.html picks it by direction.
  ["bootstrap/dist/css/bootstrap.rtl.min.css", "bootstrap/css/bootstrap.rtl.min.css"],
  ["bootstrap/dist/css/bootstrap.rtl.min.css.map", "bootstrap/css/bootstrap.rtl.min.css.map"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/js/bootstrap.bundle.min.js.map"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts", "bootstrap-icons/fonts"],
];

rmSync(out, { recursive: true, force: true });
for (const [from, to] of copies) {
  const target = join(out, to);
  mkdirSync(dirname(target), { recursive: true });
  cpSync(join(root, "node_modules", from), target, { recursive: true });
}
console.log(`assets copied to ${out}`);

const bundle = join(root, "build", "static", "bundle");
await bundleRoom({ source: root, out: bundle });
await buildRoomStyles({ root, out: bundle });
