"""The benchmark harness's own logic: figures, the doc writer, the floor relay and the frames.

Run with `.venv/bin/pytest bench/tests` (not part of `make test`: it starts a server process).
"""

import asyncio
import json
import subprocess
import sys
from typing import Any

from bench import common, relay_load


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert common.percentile(values, 50) == 50
    assert common.percentile(values, 99) == 99
    assert common.percentile(values, 100) == 100
    assert common.percentile([], 99) == 0.0
    assert common.percentile([7.0], 1) == 7.0


def test_append_to_doc_adds_runs_to_its_own_section_only(tmp_path, monkeypatch):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Mine\n\nProse.\n\n## Theirs\n\nTheir prose.\n")
    monkeypatch.setattr(common, "DOC", doc)
    common.append_to_doc("Mine", "| a |\n|---|\n| 1 |", command="python -m bench.x")
    common.append_to_doc("New", "figures", command="python -m bench.y")
    text = doc.read_text()
    mine, theirs = text.index("## Mine"), text.index("## Theirs")
    run = text.index("`python -m bench.x`")
    assert mine < text.index("Prose.") < run < theirs
    assert text.index("Their prose.") > theirs
    assert text.rstrip().endswith("figures")
    assert text.index("## New") > text.index("Their prose.")


def test_frames_carry_a_marker_the_receiver_reads_back():
    for kind in relay_load.KINDS:
        frame = json.loads(relay_load.frame(kind, "a" * 32, 12345, 1.5))
        assert frame["type"] == kind
        assert frame["to"] == "a" * 32
        assert relay_load.read_marker(frame) == 12345
    assert relay_load.read_marker({"type": "offer", "sdp": "v=0"}) is None


def test_floor_relays_only_to_the_addressed_peer_with_its_sender():
    from websockets.asyncio.client import connect

    port = common.free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.relay_floor", f"--port={port}"], cwd=common.ROOT
    )
    try:
        common.wait_for_port(port, proc=server, timeout=30)

        async def scenario() -> tuple[list[str], dict[int, dict[str, Any]]]:
            url = f"ws://127.0.0.1:{port}/ws/meeting/1/"
            sockets = [await connect(url) for _ in range(3)]
            ids: list[str] = []
            for ws in sockets:
                await ws.send('{"type":"join"}')
                ids.append(json.loads(await ws.recv())["peerId"])
            await sockets[0].send(relay_load.frame("offer", ids[2], 7, 0.0))
            # Drain the user-joined frames; the offer must reach socket 2 and nobody else.
            got: dict[int, dict[str, Any]] = {}
            for index, ws in enumerate(sockets):
                while True:
                    try:
                        message = json.loads(await asyncio.wait_for(ws.recv(), 1))
                    except TimeoutError:
                        break
                    if message["type"] == "offer":
                        got[index] = message
            for ws in sockets:
                await ws.close()
            return ids, got

        ids, got = asyncio.run(scenario())
        assert list(got) == [2]
        assert got[2]["from"] == ids[0]
        assert relay_load.read_marker(got[2]) == 7
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_poll_answers_check_finds_a_count_off_by_one_and_windows_split_the_relay():
    from bench import poll_answers

    def perfect() -> poll_answers.Round:
        current = poll_answers.Round(poll_id=1)
        current.last_choice = {0: 0, 1: 1, 2: 1}
        current.acked = {3: (1.0, 1), 4: (1.1, 2), 5: (1.2, 3)}
        current.live = [(1.3, 3, [1, 2, 0, 0])]
        final = {"answered": 3, "counts": [1, 2, 0, 0], "final": True}
        current.final = dict.fromkeys(range(6), final)
        current.answer_ms = [10.0, 20.0, 30.0]
        return current

    assert poll_answers.check(perfect(), students=3, sockets=6) == []
    twice = perfect()
    twice.final[0] = {"answered": 4, "counts": [1, 3, 0, 0], "final": True}
    twice.live[-1] = (1.3, 3, [2, 2, 0, 0])
    problems = poll_answers.check(twice, students=3, sockets=6)
    assert len(problems) == 2
    assert "teacher's last live results" in problems[0]
    assert "final results" in problems[1]

    relay = poll_answers.Relay(done=[(8.0, 1.0), (9.0, 2.0), (10.5, 5.0), (11.3, 9.0), (12.0, 3.0)])
    answering = perfect()
    answering.answering = (10.0, 11.0)
    assert poll_answers.windows(relay, [answering], quiet=1.5) == ([2.0], [5.0])
