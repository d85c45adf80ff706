"""Run Debian's Janus with the configuration in deploy/janus/, for tests, benchmarks and
development: the files are copied to a folder of their own with a few settings replaced
(ports, secrets, the interface ICE must use), exactly as an operator would edit them.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

DEPLOY_DIR = Path(__file__).resolve().parents[3] / "deploy" / "janus"
JANUS = shutil.which("janus") or "/usr/bin/janus"

# Settings that live in each file; anything else passed in `overrides` goes to janus.jcfg.
_FILE_OF = {
    "port": "janus.transport.http.jcfg",
    "ip": "janus.transport.http.jcfg",
    "acl": "janus.transport.http.jcfg",
    "admin_key": "janus.plugin.videoroom.jcfg",
}


def _set(text: str, key: str, value: str | int) -> str:
    """Replace `key = ...` (commented out or not) in a jcfg text, or add it to `general`."""
    literal = str(value) if isinstance(value, int) else f'"{value}"'
    pattern = re.compile(rf"^(\s*)#?\s*{re.escape(key)}\s*=.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda m: f"{m.group(1)}{key} = {literal}", text, count=1)
    section = "nat: {" if key.startswith("ice_") or key.startswith("nat_") else "general: {"
    return text.replace(section, f"{section}\n\t{key} = {literal}", 1)


@dataclass
class JanusProcess:
    folder: Path
    url: str
    api_secret: str
    admin_key: str
    token_secret: str = ""
    prefix: Sequence[str] = ()
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.folder / "janus.log"

    def launch(self, timeout: float = 15.0) -> None:
        """(Re)start Janus from this folder; wait until it answers `info`."""
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own command line)
                [*self.prefix, JANUS, "-F", str(self.folder), "-N", "-L", str(self.output)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/info", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        tail = self.output.read_text(errors="replace")[-2000:] if self.output.exists() else ""
        self.stop()
        raise RuntimeError(f"Janus did not start on {self.url}:\n{tail}")

    @property
    def output(self) -> Path:
        return self.log.with_suffix(".out")

    def kill(self) -> None:
        """Stop the process (as a crash would), keeping its folder for `launch`."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


def write_config(folder: Path, overrides: dict[str, str | int]) -> None:
    """Copy deploy/janus/*.jcfg to `folder`, with `configs_folder` and `overrides` applied."""
    texts = {path.name: path.read_text() for path in DEPLOY_DIR.glob("*.jcfg")}
    texts["janus.jcfg"] = _set(texts["janus.jcfg"], "configs_folder", str(folder))
    for key, value in overrides.items():
        name = _FILE_OF.get(key, "janus.jcfg")
        texts[name] = _set(texts[name], key, value)
    for name, text in texts.items():
        (folder / name).write_text(text)


def start_janus(
    *,
    port: int,
    host: str = "127.0.0.1",
    rtp_ports: tuple[int, int] = (20000, 20099),
    ice_interface: str = "",
    acl: str = "127.",
    prefix: Sequence[str] = (),
    timeout: float = 15.0,
) -> JanusProcess:
    """Start Janus with deploy/janus settings on `host:port`; wait until it answers `info`.

    `prefix` runs it through another command (e.g. `ip netns exec <ns>`). The secrets are fresh
    random values, returned with the process.
    """
    folder = Path(tempfile.mkdtemp(prefix="classmeet-janus-"))
    api_secret, admin_key = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    token_secret = secrets.token_urlsafe(24)
    overrides: dict[str, str | int] = {
        "ip": host,
        "port": port,
        "acl": acl,
        "api_secret": api_secret,
        "admin_secret": secrets.token_urlsafe(24),
        "admin_key": admin_key,
        "token_auth_secret": token_secret,
        "rtp_port_range": f"{rtp_ports[0]}-{rtp_ports[1]}",
    }
    if ice_interface:
        overrides["ice_enforce_list"] = ice_interface
    write_config(folder, overrides)
    janus = JanusProcess(
        folder=folder,
        url=f"http://{host}:{port}/janus",
        api_secret=api_secret,
        admin_key=admin_key,
        token_secret=token_secret,
        prefix=tuple(prefix),
    )
    janus.launch(timeout)
    return janus


SFU_TEST_NETWORK = "10.200.77"  # the SFU tests' namespaces (recordings use 10.200.78)


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)  # noqa: S603, S607


def free_block(network: str = SFU_TEST_NETWORK) -> tuple[str, str]:
    """(host, namespace) addresses of the first /30 of `network` (a /24 prefix such as
    "10.200.77") no interface of this machine uses: two runs at once do not collide."""
    used = subprocess.run(
        ["ip", "-4", "-o", "addr", "show"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for base in range(0, 256, 4):
        host, ns = f"{network}.{base + 1}", f"{network}.{base + 2}"
        if f" {host}/" not in used:
            return host, ns
    raise RuntimeError(f"no free /30 left in {network}.0/24")


@contextmanager
def janus_in_netns(
    name: str,
    *,
    host_ip: str = "",
    ns_ip: str = "",
    port: int = 8088,
    rtp_ports: tuple[int, int] = (22000, 22199),
) -> Iterator[JanusProcess]:
    """Janus in a network namespace of its own, reached over a veth pair (a private /30).

    Janus never offers a loopback candidate; this gives it a non-loopback address that only
    this namespace uses (its API on `ns_ip`, ICE enforced on the namespace's veth end), without
    touching the machine's interfaces. By default the first free /30 of 10.200.77.0/24
    (10.200.77.1 ↔ .2 unless another run holds it). Needs root and iproute2; removed on the way
    out.
    """
    if not host_ip or not ns_ip:
        host_ip, ns_ip = free_block()
    host_if, ns_if = f"{name}h", f"{name}n"

    def down() -> None:
        _ip("netns", "del", name, check=False)
        _ip("link", "del", host_if, check=False)

    down()
    _ip("netns", "add", name)
    try:
        _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("link", "set", ns_if, "netns", name)
        _ip("addr", "add", f"{host_ip}/30", "dev", host_if)
        _ip("link", "set", host_if, "up")
        _ip("netns", "exec", name, "ip", "addr", "add", f"{ns_ip}/30", "dev", ns_if)
        _ip("netns", "exec", name, "ip", "link", "set", ns_if, "up")
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        janus = start_janus(
            host=ns_ip,
            port=port,
            acl=host_ip,
            ice_interface=ns_if,
            rtp_ports=rtp_ports,
            prefix=("ip", "netns", "exec", name),
        )
        try:
            yield janus
        finally:
            janus.stop()
    finally:
        down()


def sfu_settings(settings: object, janus: JanusProcess) -> None:
    """Point Classmeet's SFU settings at this Janus (tests, benchmarks)."""
    settings.CLASSMEET_SFU_URL = janus.url  # type: ignore[attr-defined]
    settings.CLASSMEET_SFU_API_SECRET = janus.api_secret  # type: ignore[attr-defined]
    settings.CLASSMEET_SFU_ADMIN_KEY = janus.admin_key  # type: ignore[attr-defined]
    settings.CLASSMEET_SFU_TOKEN_SECRET = janus.token_secret  # type: ignore[attr-defined]


def can_use_netns() -> bool:
    return bool(shutil.which("janus") and shutil.which("ip")) and os.geteuid() == 0
