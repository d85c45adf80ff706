"""Profile one page with pyinstrument, as the pages benchmark's student, through the test client.

Needs the data of bench/pages_data.py (run `python -m bench.pages` once). Prints the SQL of one
request with its time, then pyinstrument's call tree over `--requests` requests.

    .venv/bin/python -m bench.profile_page /meetings/
    .venv/bin/python -m bench.profile_page /classmeet/dashboard/ --as teacher
    .venv/bin/python -m bench.profile_page /classmeet/dashboard/ --shape landing
    BENCH_LANGUAGE=es .venv/bin/python -m bench.profile_page /classmeet/dashboard/  # in Spanish
"""

from __future__ import annotations

import argparse
import time

from bench import common


def main() -> None:
    parser = argparse.ArgumentParser(description="Profile one page")
    parser.add_argument("url")
    parser.add_argument("--as", dest="role", choices=("student", "teacher"), default="student")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--shape", choices=("school", "landing"), default="school")
    args = parser.parse_args()
    common.setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from bench.pages import LANGUAGE_HEADERS, existing_sample

    sample = existing_sample(args.shape)
    user_id = sample.student_id if args.role == "student" else sample.teacher_id
    client = Client(SERVER_NAME="127.0.0.1", **LANGUAGE_HEADERS)
    client.force_login(get_user_model().objects.get(pk=user_id))
    client.get(args.url)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(args.url)
        elapsed = (time.perf_counter() - started) * 1000
    print(f"{args.url} as the {args.role}: HTTP {response.status_code}, {elapsed:.0f} ms")
    for query in ctx.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}")
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.requests):
        client.get(args.url)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
