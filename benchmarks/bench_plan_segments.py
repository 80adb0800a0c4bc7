"""Speed of the plan and segments pages on a demo store (in process, median of 5 warm requests).

    python benchmarks/bench_plan_segments.py --db benchmarks/out/web-demo-100000.db

The store is changed: the plan of the current week is built (timed), a
``bench`` admin and a segment ``bench-de`` are added. Make the demo first
(``retain demo --customers 100000 --db FILE``) and use a copy.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from datetime import UTC, datetime

from retain.auth import create_token
from retain.auth.users import add_user
from retain.config import Settings
from retain.store import open_store
from retain.web import WebSettings, create_app
from retain.web.plan import refresh

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


def timed(client: TestClient, url: str, n: int = 5) -> tuple[float, float]:
    """(first, median of the next ``n``) wall times in milliseconds."""
    times = []
    for _ in range(n + 1):
        started = time.perf_counter()
        r = client.get(url, headers={"accept": "text/html" if not url.startswith("/api") else ""})
        times.append((time.perf_counter() - started) * 1000)
        r.raise_for_status()
    return times[0], statistics.median(times[1:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True, help="a copy of a demo SQLite file")
    args = ap.parse_args()
    store = open_store(f"sqlite:///{args.db}")
    now = datetime.now(UTC)
    started = time.perf_counter()
    to_do = refresh(store, Settings(), now)
    print(f"build the plan: {time.perf_counter() - started:.1f} s, {to_do} actions to do\n")
    add_user(store, "bench", "bench password long", role="admin", now=now)
    token = create_token(store, "bench", "bench", now=now).token
    app = create_app(store, Settings(), web=WebSettings(secret_key="bench"))
    client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    started = time.perf_counter()
    client.post(
        "/api/v1/segments",
        json={"name": "bench-de", "expression": 'country = "DE" and stage in (loyal, active)'},
    ).raise_for_status()
    cold = time.perf_counter() - started
    print(f"first segment request (builds the audience table, then kept): {cold:.1f} s\n")
    print("| request | first (ms) | warm median (ms) |\n|---|---:|---:|")
    for url in (
        "/api/v1/actions",
        "/api/v1/actions?owner=anna&status=open",
        "/api/v1/actions?page=500",
        "/plan?owner=",
        "/plan?owner=anna",
        "/",
        "/segments",
        "/segments/bench-de",
        "/api/v1/segments/bench-de/members?per_page=500",
    ):
        first, warm = timed(client, url)
        print(f"| `GET {url}` | {first:,.0f} | {warm:,.0f} |")


if __name__ == "__main__":
    main()
