"""The shared test helpers: a service that is missing fails the run in CI and skips it elsewhere."""

import socket

import pytest

from tests import support


def test_a_missing_service_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(support, "REQUIRE_SERVICES", False)
    with pytest.raises(pytest.skip.Exception, match="janus is not installed"):
        support.require_service(False, "janus is not installed", required="janus is required")


def test_a_missing_service_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(support, "REQUIRE_SERVICES", True)
    with pytest.raises(pytest.fail.Exception, match="janus is required"):
        support.require_service(False, "janus is not installed", required="janus is required")


def test_a_present_service_neither_skips_nor_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(support, "REQUIRE_SERVICES", True)
    support.require_service(True, "janus is not installed")


@pytest.mark.parametrize("udp", [False, True])
def test_free_port_can_be_bound(udp: bool) -> None:
    port = support.free_port(udp=udp)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
