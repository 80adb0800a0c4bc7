"""CLV model fitting: Retain vs the ``lifetimes`` package on the same simulated data.

One command, prints a Markdown table::

    python benchmarks/bench_clv.py                   # 1,000,000 customers (a few minutes)
    python benchmarks/bench_clv.py --customers 100000 --lifetimes-timeout 120

Data: customers observed 30-365 days (daily units, whole days), simulated with
Retain's own simulators from BG/NBD (r=0.24, alpha=30.9, a=0.79, b=2.43),
Pareto/NBD (r=0.55, alpha=74, s=0.61, beta=82) and Gamma-Gamma (p=6.25, q=3.74,
v=15.44, spends in cents) parameters, with the last purchase rounded down to a day.

lifetimes 0.11.3 needs an older stack; it runs in a subprocess with the
interpreter named by ``LIFETIMES_PYTHON`` (default /work/venv-lifetimes/bin/python,
made with ``pip install lifetimes==0.11.3 numpy==1.26.4 pandas==1.5.3
scipy==1.11.4 'setuptools<81'``); data go through a temporary .npz file.
If lifetimes cannot fit a model within ``--lifetimes-timeout`` seconds, that
model is rerun on the first ``--fallback-customers`` customers for both
libraries, and the table says at which size it ran.

Log-likelihoods are compared as full log-likelihoods in the original (daily)
units, summed over customers, as in the papers. lifetimes reports a mean per
customer on time rescaled by s = 1/max(T); the full value is
-n * NLL + sum(x) * ln(s) for BG/NBD and Pareto/NBD, -n * NLL for Gamma-Gamma.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from retain.clv import BetaGeo, GammaGamma, ParetoNBD
from retain.clv._inputs import rfm_data
from retain.clv.beta_geo import simulate_beta_geo
from retain.clv.gamma_gamma import spend_data
from retain.clv.pareto_nbd import _pareto_data, simulate_pareto_nbd

LIFETIMES_SCRIPT = r"""
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter

data = np.load(sys.argv[1])
model = sys.argv[2]
x = data["frequency"]
start = time.perf_counter()
if model == "GammaGamma":
    keep = x > 0
    fitter = GammaGammaFitter().fit(x[keep], data["monetary_value"][keep])
    n, correction = int(keep.sum()), 0.0
else:
    cls = BetaGeoFitter if model == "BetaGeo" else ParetoNBDFitter
    fitter = cls().fit(x, data["recency"], data["T"])
    # BG/NBD reports a mean per customer, Pareto/NBD a sum (weights.mean() = 1)
    n = x.size if model == "BetaGeo" else 1
    correction = float(x.sum()) * float(np.log(fitter._scale))
seconds = time.perf_counter() - start
ll = -n * float(fitter._negative_log_likelihood_) + correction
params = {k: float(v) for k, v in fitter.params_.items()}
print(json.dumps({"seconds": seconds, "log_likelihood": ll, "params": params}))
"""

BG_TRUTH = np.array([0.24, 30.9, 0.79, 2.43])
PNBD_TRUTH = np.array([0.55, 74.0, 0.61, 82.0])


def simulate(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    big_t = rng.integers(30, 366, n).astype(float)
    bg = simulate_beta_geo(BG_TRUTH, big_t, rng)
    pn = simulate_pareto_nbd(PNBD_TRUTH, big_t, rng)
    spend_model = GammaGamma()
    spend_model.params_ = {"p": 6.25, "q": 3.74, "v": 15.44}
    x = bg["frequency"].to_numpy()
    spend = spend_model.simulate(x, rng)["monetary_value"].to_numpy()
    spend = np.where(x > 0, np.maximum(np.round(spend, 2), 0.01), 0.0)
    return {
        "bg": {"frequency": x, "recency": np.floor(bg["recency"].to_numpy()), "T": big_t},
        "pnbd": {
            "frequency": pn["frequency"].to_numpy(),
            "recency": np.floor(pn["recency"].to_numpy()),
            "T": big_t,
        },
        "spend": spend,
    }


def fit_ours(name: str, data: dict[str, np.ndarray], repeats: int) -> tuple[float, object]:
    times = []
    model = None
    for _ in range(repeats):
        start = time.perf_counter()
        if name == "GammaGamma":
            model = GammaGamma().fit(data["frequency"], data["monetary_value"])
        else:
            cls = BetaGeo if name == "BetaGeo" else ParetoNBD
            model = cls().fit(data["frequency"], data["recency"], data["T"])
        times.append(time.perf_counter() - start)
    return float(np.median(times)), model


def fit_lifetimes(
    name: str, data: dict[str, np.ndarray], python: str, timeout: float
) -> dict | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npz"
        np.savez(path, **data)
        try:
            done = subprocess.run(
                [python, "-c", LIFETIMES_SCRIPT, str(path), name],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
    if done.returncode != 0:
        raise SystemExit(f"lifetimes failed on {name}:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ll_at(name: str, params: dict[str, float], data: dict[str, np.ndarray]) -> float:
    """Full log-likelihood at given parameters by Retain's own likelihood (a check of
    the conversion of lifetimes' reported value)."""
    x = data["frequency"].astype(float)
    if name == "GammaGamma":
        keep = x > 0
        model, prepared = (
            GammaGamma(),
            spend_data(x[keep], data["monetary_value"][keep], x[keep] * 0 + 1),
        )
    else:
        prep = rfm_data if name == "BetaGeo" else _pareto_data
        model = BetaGeo() if name == "BetaGeo" else ParetoNBD()
        prepared = prep(x, data["recency"], data["T"], np.ones_like(x))
    theta = np.array([params[k] for k in model.param_names])
    return model._loglik(theta, prepared)[0]


def subset(data: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {k: v[:n] for k, v in data.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--fallback-customers", type=int, default=100_000)
    parser.add_argument("--lifetimes-timeout", type=float, default=600.0)
    parser.add_argument("--repeats", type=int, default=3, help="median of this many fits (ours)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    python = os.environ.get("LIFETIMES_PYTHON", "/work/venv-lifetimes/bin/python")

    sim = simulate(args.customers, args.seed)
    datasets = {
        "BetaGeo": sim["bg"],
        # the repeat buyers only, for both libraries (lifetimes needs them filtered)
        "GammaGamma": {
            "frequency": sim["bg"]["frequency"][sim["bg"]["frequency"] > 0],
            "monetary_value": sim["spend"][sim["bg"]["frequency"] > 0],
        },
        "ParetoNBD": sim["pnbd"],
    }
    rows = []
    for name, data in datasets.items():
        n = args.customers
        theirs = fit_lifetimes(name, data, python, args.lifetimes_timeout)
        note = ""
        if theirs is None:
            # ours on the full data alone, then both on a smaller sample
            full_s, full_model = fit_ours(name, data, args.repeats)
            rows.append(
                {
                    "model": name,
                    "customers": n,
                    "ours_s": full_s,
                    "ours_ll": full_model.log_likelihood_,
                    "note": "",
                    "timed_out": True,
                }
            )
            note = (
                f"lifetimes > {args.lifetimes_timeout:.0f} s on {n:,} customers; "
                f"both run on the first {args.fallback_customers:,}"
            )
            n = args.fallback_customers
            data = subset(data, n)
            theirs = fit_lifetimes(name, data, python, args.lifetimes_timeout)
        ours_s, model = fit_ours(name, data, args.repeats)
        fitted_n = int((data["frequency"] > 0).sum()) if name == "GammaGamma" else n
        row = {
            "model": name,
            "customers": fitted_n,
            "ours_s": ours_s,
            "ours_ll": model.log_likelihood_,
            "note": note,
        }
        if theirs is not None:
            row.update(
                lifetimes_s=theirs["seconds"],
                lifetimes_ll=theirs["log_likelihood"],
                ratio=theirs["seconds"] / ours_s,
                rel_ll=abs(model.log_likelihood_ - theirs["log_likelihood"])
                / abs(theirs["log_likelihood"]),
                check_ll=ll_at(name, theirs["params"], data),
            )
        rows.append(row)
        print(f"... {name} done", file=sys.stderr, flush=True)

    print(
        f"CLV fits, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; ours = median of {args.repeats}\n"
    )
    print(
        "| model | customers fitted | Retain (s) | lifetimes (s) | speed-up | "
        "LL Retain | LL lifetimes | LL rel. diff | LL at lifetimes' params (ours) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        lt = f"{r['lifetimes_s']:.2f}" if "lifetimes_s" in r else "-"
        if r.get("timed_out"):
            lt = f"> {args.lifetimes_timeout:.0f} (stopped)"
        ratio = f"{r['ratio']:.0f}x" if "ratio" in r else "-"
        ll_lt = f"{r['lifetimes_ll']:.2f}" if "lifetimes_ll" in r else "-"
        rel = f"{r['rel_ll']:.1e}" if "rel_ll" in r else "-"
        check = f"{r['check_ll']:.2f}" if "check_ll" in r else "-"
        print(
            f"| {r['model']} | {r['customers']:,} | {r['ours_s']:.2f} | {lt} | {ratio} | "
            f"{r['ours_ll']:.2f} | {ll_lt} | {rel} | {check} |"
        )
    for r in rows:
        if r["note"]:
            print(f"\n{r['model']}: {r['note']}")


if __name__ == "__main__":
    main()
