// The live room's modules as one file (the page loaded 13 modules over the browser's six
// connections per host before the call could start), and early.js as another. ending.js stays a module of its own beside
// the bundle; the sources in the apps' static folders stay as they are (tests import them).
// Used by build_assets.mjs, and by bench/bench_join.py (`node scripts/bundle_room.mjs SOURCE OUT`:
// the room of another git revision, extracted to SOURCE).
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export async function bundleRoom({ source, out }) {
  const rooms = join(source, "classmeet", "rooms", "static", "rooms", "js");
  const apps = readdirSync(join(source, "classmeet"));
  rmSync(out, { recursive: true, force: true });
  await build({
    // early.js (the socket opened while the page loads) is its own small file: each entry is
    // whole, so the page fetches nothing more by the modules' plain names.
    entryPoints: ["main.js", "early.js"].map((name) => join(rooms, name)).filter(existsSync),
    outdir: join(out, "rooms", "js"),
    entryNames: "[name]",
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: true,
    logLevel: "warning",
    plugins: [
      {
        // Imports are relative to the static URL (/static/rooms/js/ -> ../../core/js/times.js),
        // and each app has its own static folder: resolve them as Django's app finder does.
        name: "static-urls",
        setup(b) {
          b.onResolve({ filter: /^\.\.?\// }, ({ path, importer }) => {
            if (importer.endsWith("/rooms/js/main.js") && path === "./ending.js") {
              return { path, external: true };
            }
            const from = importer.split("/static/").pop();
            const url = posix.normalize(posix.join(posix.dirname(from), path));
            const file = apps
              .map((app) => join(source, "classmeet", app, "static", url))
              .find(existsSync);
            return file ? { path: file } : { errors: [{ text: `no static file ${url}` }] };
          });
        },
      },
    ],
  });
  cpSync(join(rooms, "ending.js"), join(out, "rooms", "js", "ending.js"));
  console.log(`room bundle written to ${out}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundleRoom({ source: resolve(process.argv[2]), out: resolve(process.argv[3]) });
}
