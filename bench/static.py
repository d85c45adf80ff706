"""Static files: compressed and cache-busted with the production storage.

Runs collectstatic with STORAGES["staticfiles"] of the production settings
(whitenoise's CompressedManifestStaticFilesStorage), then serves the site with uvicorn and
fetches the stylesheet and script a page links to: the URL must carry the content hash, the
response must be compressed when the client accepts it, and cacheable for a year.

    .venv/bin/python -m bench.static
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

from bench import common


def fetch(url: str, *, encoding: str = "") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})  # noqa: S310 (127.0.0.1)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


def main() -> None:
    parser = argparse.ArgumentParser(description="Static files check")
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    common.setup_django()
    from django.conf import settings

    seconds = common.collect_static()
    root = Path(settings.STATIC_ROOT)
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    storage = settings.STORAGES["staticfiles"]["BACKEND"]

    port = common.free_port()
    rows: list[list[Any]] = []
    failures: list[str] = []
    with common.running(common.uvicorn(port, common.server_env())):
        _, _, page = fetch(f"http://127.0.0.1:{port}/auth/signin/")
        links = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', page)
        if not links:
            failures.append("the sign-in page links no stylesheet or script")
        for link in sorted(set(links))[:6]:
            url = link.decode()
            name = url.removeprefix(settings.STATIC_URL)
            hashed = name in manifest.values() and name not in manifest
            _, plain_headers, plain = fetch(f"http://127.0.0.1:{port}{url}")
            _, gz_headers, gz = fetch(f"http://127.0.0.1:{port}{url}", encoding="gzip, br")
            cache = gz_headers.get("cache-control", "")
            encoding = gz_headers.get("content-encoding", "none")
            rows.append([name, hashed, len(plain), len(gz), encoding, cache])
            if not hashed:
                failures.append(f"{name} is not a hashed name")
            if encoding == "none" and len(plain) > 1024:
                failures.append(f"{name} is served uncompressed")
            if "immutable" not in cache and "max-age=315360000" not in cache:
                failures.append(f"{name} is not cacheable for long: {cache!r}")
            del plain_headers
    headers = ("file", "hashed name", "bytes", "bytes sent (gzip, br)", "encoding", "Cache-Control")
    title = f"collectstatic with {storage}: {len(manifest)} files in {seconds:.1f} s"
    common.print_table(title, headers, rows)
    verdict = "All hashed, compressed and cacheable." if not failures else "; ".join(failures)
    print(verdict)
    if not args.no_doc:
        body = f"{title}.\n\n{common.markdown_table(headers, rows)}\n\n{verdict}\n"
        common.append_to_doc(
            "Static files", body, command="python -m bench.static " + " ".join(sys.argv[1:])
        )
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
