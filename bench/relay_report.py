"""The relay benchmark's results (bench/relay.py): one per run, the line printed after it, and
the tables and summaries printed (and appended to docs/benchmarks.md) at the end."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common
from bench.relay_load import Stats


@dataclass
class Result:
    name: str
    rate: float
    window: float = 0.0
    stats: Stats = field(default_factory=Stats)
    server_cpu: float = 0.0
    redis_cpu: float = 0.0
    generator_cpu: float = 0.0
    connect_seconds: float = 0.0
    clients: int = 0
    join_retries: int = 0

    @property
    def relayed_per_s(self) -> float:
        return self.stats.delivered / self.window if self.window else 0.0

    @property
    def cpu_us_per_msg(self) -> float:
        total = self.server_cpu + self.redis_cpu
        return total / self.stats.delivered * 1e6 if self.stats.delivered else 0.0

    def p(self, q: float) -> float:
        return common.percentile(self.stats.latencies_ms, q)


def report_line(result: Result) -> None:
    s = result.stats
    print(
        f"{result.name}: {result.relayed_per_s:.0f} msg/s, p50 {result.p(50):.1f} ms, "
        f"p99 {result.p(99):.1f} ms, lost {s.lost}, misdelivered {s.misdelivered}, "
        f"errors {s.errors}, closed {s.closed}, server {result.server_cpu:.1f} s CPU, "
        f"redis {result.redis_cpu:.1f} s, generator {result.generator_cpu:.1f} s, "
        f"joins retried after 1013: {result.join_retries}",
        file=sys.stderr,
    )


def print_profile(path: Path) -> None:
    if not path.exists():
        return
    print(f"\npy-spy profile {path.relative_to(common.ROOT)} (inclusive %, self %):")
    for inclusive, own, frame in common.profile_summary(path, top=40):
        print(f"{inclusive:5.1f} {own:5.1f}  {frame[:140]}")


HEADERS = (
    "run",
    "offered msg/s",
    "relayed msg/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "lost",
    "misdelivered",
    "errors + closes",
    "server CPU µs/msg",
    "of which Redis",
    "server CPU %",
    "generator CPU %",
    "joins/s",
    "generator loop lag p99 ms",
    "p99 ÷ floor",
    "CPU/msg ÷ floor",
)


def rows(results: list[Result]) -> list[list[Any]]:
    floor = next((r for r in results if r.name == "floor"), None)
    out = []
    for r in results:
        redis_share = r.redis_cpu / r.stats.delivered * 1e6 if r.stats.delivered else 0.0
        out.append(
            [
                r.name,
                r.rate,
                r.relayed_per_s,
                r.p(50),
                r.p(99),
                max(r.stats.latencies_ms, default=0.0),
                r.stats.lost,
                r.stats.misdelivered,
                sum(r.stats.errors.values()) + r.stats.closed,
                r.cpu_us_per_msg,
                redis_share,
                (r.server_cpu + r.redis_cpu) / r.window * 100 if r.window else 0.0,
                r.generator_cpu / r.window * 100 if r.window else 0.0,
                r.clients / r.connect_seconds if r.connect_seconds else 0.0,
                common.percentile(r.stats.loop_lag_ms, 99),
                r.p(99) / floor.p(99) if floor and floor.p(99) else "",
                r.cpu_us_per_msg / floor.cpu_us_per_msg if floor and floor.cpu_us_per_msg else "",
            ]
        )
    return out


def ladder_summary(results: list[Result], bound_ms: float) -> str:
    """For the p99 bound (and tighter ones, for the shape of the curve): the highest rate each
    process count held with nothing lost, and the ratio 2 processes : 1 process."""
    lines = []
    for bound in sorted({10.0, 25.0, bound_ms}):
        best: dict[int, float] = {}
        for r in results:
            if not r.name.startswith("ladder redis x"):  # the room layer's
                continue
            procs = int(r.name.split("x")[1].split()[0])
            ok = r.p(99) <= bound and r.stats.lost == 0 and r.stats.misdelivered == 0
            if ok and r.relayed_per_s >= 0.95 * r.rate:
                best[procs] = max(best.get(procs, 0.0), r.relayed_per_s)
        if not best:
            continue
        one, two = best.get(1, 0.0), best.get(2, 0.0)
        ratio = f" ({two / one:.2f}x)" if one and two else ""
        held = [
            f"{n} process{'es' if n > 1 else ''} "
            + (f"{r:.0f} msg/s" if r else "none of the rates tried")
            for n, r in ((1, one), (2, two))
        ]
        lines.append(
            f"Highest rate held with p99 ≤ {bound:g} ms and nothing lost, Redis layer: "
            f"{held[0]}, {held[1]}{ratio}."
        )
    return "\n".join(lines)


def consumer_summary(results: list[Result]) -> tuple[list[str], list[list[Any]]]:
    """Per run and consumer variant over the rounds: the median and the range (the noise)."""
    grouped: dict[str, list[Result]] = {}
    for r in results:
        if r.name.endswith("]"):
            grouped.setdefault(r.name, []).append(r)
    headers = ["run [consumer]", "rounds", "p50 ms", "p99 ms", "server CPU µs/msg", "lost"]
    out: list[list[Any]] = []
    for name, group in grouped.items():
        cells: list[Any] = [name, len(group)]
        for values in (
            [r.p(50) for r in group],
            [r.p(99) for r in group],
            [r.cpu_us_per_msg for r in group],
        ):
            cells.append(
                f"{common.fmt(common.median(values))} "
                f"({common.fmt(min(values))}-{common.fmt(max(values))})"
            )
        cells.append(sum(r.stats.lost + r.stats.misdelivered for r in group))
        out.append(cells)
    return headers, out
