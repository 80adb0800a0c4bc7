"""Web app speed on the demo business: dashboard, customer 360, search; p50/p95 under load.

One command, prints Markdown tables::

    python benchmarks/bench_web.py                      # 100,000-customer demo on SQLite
    python benchmarks/bench_web.py --customers 5000 --requests 20

The demo database is made once with ``retain demo`` (kept in ``--workdir``).
``retain serve`` runs in its own process on a free loopback port; requests
carry an API token. "server" times are the app's own ``Server-Timing``
header (time to the response start), "client" times include the loopback
round trip. The dashboard's figures, and the learned repurchase gaps the customer 360
page needs, are computed once and cached (``[web] figures_ttl_seconds``):
the first, cold requests are shown apart, side by side with the warm ones.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from retain.auth import create_token, list_users
from retain.auth.users import add_user
from retain.store import open_store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(client: httpx.Client, url: str) -> tuple[float, float]:
    started = time.perf_counter()
    r = client.get(url)
    wall = (time.perf_counter() - started) * 1000
    r.raise_for_status()
    server = float(r.headers["server-timing"].split("dur=")[1])
    return server, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=50, help="sequential requests per page")
    ap.add_argument("--clients", type=int, default=20, help="concurrent clients")
    ap.add_argument("--seconds", type=float, default=20, help="length of the load test")
    ap.add_argument("--workdir", type=Path, default=Path("benchmarks/out"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / f"web-demo-{args.customers}.db"
    env = {**os.environ, "RETAIN_CONFIG": os.devnull}
    retain = [str(Path(sys.executable).parent / "retain")]
    if not db.exists():
        print(f"making the {args.customers:,}-customer demo in {db} ...", file=sys.stderr)
        subprocess.run(
            [
                *retain,
                "demo",
                "--customers",
                str(args.customers),
                "--db",
                str(db),
                "--data-dir",
                str(args.workdir / "web-demo-data"),
            ],
            check=True,
            env=env,
        )
    store = open_store(f"sqlite:///{db}")
    now = datetime.now(UTC)
    if "bench" not in {u.username for u in list_users(store)}:
        add_user(store, "bench", "benchmark password", role="admin", now=now)
    token = create_token(store, "bench", f"bench {now:%H%M%S}", now=now).token
    store.dispose()
    port = free_port()
    server = subprocess.Popen(
        [*retain, "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}", "accept": "text/html"}
    try:
        client = httpx.Client(base_url=base, headers=headers, timeout=120)
        for _ in range(300):
            try:
                client.get("/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        rng = random.Random(7)
        ids = [rng.randint(1, args.customers) for _ in range(args.requests)]
        words = ["mül", "sch", "anna", "son", "gmail", "C0012", "berg", "xyz", "maria", "lee"]
        cold_server, cold_wall = timed(client, "/api/v1/dashboard")
        cold360_server, cold360_wall = timed(client, f"/api/v1/customers/{ids[-1]}")
        pages = {
            "dashboard page `/`": lambda i: "/",
            "dashboard figures `/api/v1/dashboard` (warm)": lambda i: "/api/v1/dashboard",
            "customer 360 page `/customers/{id}`": lambda i: f"/customers/{ids[i]}",
            "customer 360 API `/api/v1/customers/{id}`": lambda i: f"/api/v1/customers/{ids[i]}",
            "customer search API `?q=`": lambda i: f"/api/v1/customers?q={words[i % 10]}",
            "customer search page `/customers?q=`": lambda i: f"/customers?q={words[i % 10]}",
            "customer list page `/customers` (no search)": lambda i: f"/customers?page={i + 1}",
        }
        print(f"\n{args.customers:,} customers, SQLite, {args.requests} sequential requests each\n")
        print("| request | server p50 ms | server p95 ms | client p50 ms |")
        print("|---|---:|---:|---:|")
        print(f"| dashboard figures, cold (computed) | {cold_server:.0f} | - | {cold_wall:.0f} |")
        print(
            f"| customer 360, cold (learned gaps computed) | {cold360_server:.0f} | - "
            f"| {cold360_wall:.0f} |"
        )
        for name, url in pages.items():
            times = [timed(client, url(i)) for i in range(args.requests)]
            srv, wall = [t[0] for t in times], [t[1] for t in times]
            print(
                f"| {name} | {statistics.median(srv):.1f} | {pct(srv, 0.95):.1f} | "
                f"{statistics.median(wall):.1f} |"
            )
        mix = list(pages.values())
        results: list[tuple[float, float]] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def worker(seed: int) -> None:
            local = random.Random(seed)
            with httpx.Client(base_url=base, headers=headers, timeout=120) as c:
                while time.monotonic() < stop:
                    got = timed(c, local.choice(mix)(local.randrange(args.requests)))
                    with lock:
                        results.append(got)

        threads = [threading.Thread(target=worker, args=(s,)) for s in range(args.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - started
        srv, wall = [r[0] for r in results], [r[1] for r in results]
        print(f"\n{args.clients} concurrent clients for {took:.0f} s, the requests above mixed\n")
        print(
            "| requests | per second | server p50 ms | server p95 ms | client p50 ms "
            "| client p95 ms |"
        )
        print("|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {len(results)} | {len(results) / took:.1f} | {statistics.median(srv):.1f} | "
            f"{pct(srv, 0.95):.1f} | {statistics.median(wall):.1f} | {pct(wall, 0.95):.1f} |"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
