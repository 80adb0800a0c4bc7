"""Duplicate search: 1,000,000 customers with planted duplicates, against all-pairs matching.

Run:  python benchmarks/bench_dedupe.py [--customers 1000000] [--sample 5000] [--cache DIR]

The demo generator (``retain.demo.generate_business``, 2% planted duplicates: the
same person with another e-mail notation or provider, phone notation, a typo or
the last name first, sometimes a move next door) gives the customers and the
ground truth. The customer frame is cached as Parquet (in a temporary folder,
or ``--cache DIR`` to keep it between runs), since generating 1M takes 1-2 minutes.

Prints one table: time, candidate pairs, recall and precision against the
planted pairs for

- ``find_duplicates`` (blocking + scoring) on all customers;
- the same on a ``--sample`` sized business, and two alternatives on it:
  every pair scored by the same rules (no blocking: what blocking costs in
  recall), and naive all-pairs fuzzy matching (rapidfuzz ``cdist`` of
  "name email postal code" texts, ``token_sort_ratio`` >= 85). Their times at
  the full size are extrapolated by n^2 (stated as such, not measured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rich.console import Console
from rich.table import Table

from retain.audience.dedupe import find_duplicates, prepare, score_pairs
from retain.demo import generate_business

END = dt.date(2026, 1, 1)
COLUMNS = ["customer_id", "name", "email", "phone", "city", "postal_code", "country"]


def business(n: int, seed: int, cache: Path) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """Customers and planted pairs of a demo business of ``n``, cached as Parquet."""
    people, pairs = cache / f"customers_{n}_{seed}.parquet", cache / f"pairs_{n}_{seed}.parquet"
    if not people.exists():
        made = generate_business(n, end=END, seed=seed, duplicate_share=0.02)
        made.customers[COLUMNS].to_parquet(people)
        made.duplicate_pairs.to_parquet(pairs)
    truth = pd.read_parquet(pairs)
    return pd.read_parquet(people), {
        tuple(sorted(p)) for p in truth.itertuples(index=False, name=None)
    }


def quality(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / len(truth), (hits / len(found) if found else 1.0)


def pairs_of(frame: pd.DataFrame, a, b, ids: bool = True) -> set[tuple[str, str]]:
    """Pairs as sorted (id, id) tuples; ``a``/``b`` are row positions, or ids when not ``ids``."""
    if ids:
        known = frame["customer_id"].to_numpy()
        a, b = known[a], known[b]
    return {tuple(sorted(p)) for p in zip(a, b, strict=True)}


def blocked(frame: pd.DataFrame) -> dict:
    stats: dict = {}
    start = time.perf_counter()
    found = find_duplicates(frame, stats=stats)
    seconds = time.perf_counter() - start
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in stats.items() if k != "candidates")
    return {
        "seconds": seconds,
        "candidates": stats["candidates"],
        "found": pairs_of(frame, found.customer_id_a, found.customer_id_b, ids=False),
        "detail": phases,
    }


def all_pairs_scored(frame: pd.DataFrame) -> dict:
    """Every pair scored by the same rules: no blocking."""
    start = time.perf_counter()
    keys = prepare(frame)
    n = len(frame)
    a, b = np.triu_indices(n, k=1)
    keep = score_pairs(keys, a, b)["score"].to_numpy() >= 0.5
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "candidates": len(a), "found": pairs_of(frame, a[keep], b[keep])}


def naive_fuzzy(frame: pd.DataFrame, cutoff: float = 85.0) -> dict:
    """All pairs compared as one text with rapidfuzz (no normalisation, no blocking)."""
    start = time.perf_counter()
    text = (
        (
            frame["name"].fillna("")
            + " "
            + frame["email"].fillna("")
            + " "
            + frame["postal_code"].fillna("")
        )
        .str.lower()
        .tolist()
    )
    matrix = process.cdist(
        text, text, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff, dtype=np.uint8, workers=-1
    )
    a, b = np.nonzero(np.triu(matrix, k=1))
    seconds = time.perf_counter() - start
    n = len(frame)
    return {"seconds": seconds, "candidates": n * (n - 1) // 2, "found": pairs_of(frame, a, b)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    console = Console(width=150)
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        full, truth = business(args.customers, args.seed, cache)
        console.print(
            f"{len(full):,} customers, {len(truth):,} planted pairs "
            f"(generated or read in {time.perf_counter() - t0:.0f} s)"
        )
        big = blocked(full)
        small, small_truth = business(args.sample, args.seed + 1, cache)
        runs = {
            f"find_duplicates, {len(full):,}": (big, truth, 1.0),
            f"find_duplicates, {len(small):,}": (blocked(small), small_truth, None),
            f"all pairs, same scoring, {len(small):,}": (
                all_pairs_scored(small),
                small_truth,
                None,
            ),
            f"all pairs, rapidfuzz text, {len(small):,}": (naive_fuzzy(small), small_truth, None),
        }
    scale = (len(full) / len(small)) ** 2
    table = Table(title="duplicate search (recall and precision against the planted pairs)")
    for col in ("method", "seconds", f"at {len(full):,}", "pairs compared", "recall", "precision"):
        table.add_column(col, justify="left" if col == "method" else "right")
    base = big["seconds"]
    for name, (run, want, measured) in runs.items():
        recall, precision = quality(run["found"], want)
        if measured:
            at_full = f"{run['seconds']:.0f} s (measured)"
        elif "find_duplicates" in name:
            at_full = "-"
        else:
            extra = run["seconds"] * scale
            at_full = f"~{extra / 3600:.1f} h (n^2 extrapolated, {extra / base:.0f}x)"
        table.add_row(
            name,
            f"{run['seconds']:.1f}",
            at_full,
            f"{run['candidates']:,}",
            f"{recall:.2%}",
            f"{precision:.2%}",
        )
    console.print(table)
    console.print(f"find_duplicates at full size: {big['detail']} (inside the total)")


if __name__ == "__main__":
    main()
