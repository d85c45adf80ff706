// Copy the front-end libraries from node_modules into build/static/vendor, where Django's
// staticfiles finds them. Nothing is loaded from a CDN.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static", "vendor");
const copies = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"],
  ["bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/css/bootstrap.min.css.map"],
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

// The live room's modules as one file (the page loaded 13 modules over the browser's six
// connections per host before the call could start). ending.js stays a module of its own beside
// the bundle; the sources in the apps' static folders stay as they are (tests import them).
const bundles = join(root, "build", "static", "bundle");
const rooms = join(root, "classmeet", "rooms", "static", "rooms", "js");
const apps = readdirSync(join(root, "classmeet"));
rmSync(bundles, { recursive: true, force: true });
await build({
  entryPoints: [join(rooms, "main.js")],
  outfile: join(bundles, "rooms", "js", "main.js"),
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
  plugins: [
    {
      // Imports are relative to the static URL (/static/rooms/js/ -> ../../core/js/times.js), and
      // each app has its own static folder: resolve them as Django's app finder does.
      name: "static-urls",
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, ({ path, importer }) => {
          if (importer.endsWith("/rooms/js/main.js") && path === "./ending.js") {
            return { path, external: true };
          }
          const from = importer.split("/static/").pop();
          const url = posix.normalize(posix.join(posix.dirname(from), path));
          const file = apps.map((app) => join(root, "classmeet", app, "static", url)).find(existsSync);
          return file ? { path: file } : { errors: [{ text: `no static file ${url}` }] };
        });
      },
    },
  ],
});
cpSync(join(rooms, "ending.js"), join(bundles, "rooms", "js", "ending.js"));
console.log(`room bundle written to ${bundles}`);
