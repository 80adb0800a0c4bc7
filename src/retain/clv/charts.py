"""Diagnostic charts of the purchase models, written to PNG or SVG (by the file suffix).

Matplotlib ``Figure`` objects are used directly (no pyplot, no GUI backend), so
the charts render headless and thread-safe. Each function returns the path written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from retain.errors import InvalidInputError

__all__ = ["plot_calibration_holdout", "plot_frequency_recency", "plot_period_transactions"]


def _save(fig: Figure, path: str | Path) -> Path:
    target = Path(path)
    if target.suffix.lower() not in {".png", ".svg"}:
        raise InvalidInputError(f"chart files must end in .png or .svg; got {target.name!r}.")
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    return target


def plot_period_transactions(
    model: Any,
    frequency: Any,
    T: Any,
    path: str | Path,
    *,
    max_frequency: int = 7,
    replicates: int = 5,
    seed: int = 0,
) -> Path:
    """Customers per number of repeat purchases in the calibration period: actual vs
    the model (simulated for each customer's own T, averaged over ``replicates``)."""
    x = np.asarray(frequency, dtype=float)
    big_t = np.asarray(T, dtype=float)
    buckets = np.arange(max_frequency + 1)
    actual = np.bincount(np.minimum(x, max_frequency).astype(int), minlength=max_frequency + 1)
    rng = np.random.default_rng(seed)
    sims = np.zeros(max_frequency + 1)
    for _ in range(replicates):
        sim = model.simulate(big_t, rng)["frequency"].to_numpy()
        sims += np.bincount(np.minimum(sim, max_frequency).astype(int), minlength=max_frequency + 1)
    sims /= replicates
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    width = 0.4
    ax.bar(buckets - width / 2, actual, width, label="actual")
    ax.bar(buckets + width / 2, sims, width, label=type(model).__name__)
    ax.set_xticks(buckets, [str(b) if b < max_frequency else f"{b}+" for b in buckets])
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("customers")
    ax.set_title("Frequency of repeat purchases: actual vs model")
    ax.legend()
    return _save(fig, path)


def plot_calibration_holdout(by_frequency: pd.DataFrame, path: str | Path) -> Path:
    """Mean holdout purchases per calibration frequency: actual, model and naive
    baseline (``holdout_by_frequency`` output)."""
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    labels = list(by_frequency.index)
    pos = np.arange(len(labels))
    ax.plot(pos, by_frequency["actual"], marker="o", label="actual")
    ax.plot(pos, by_frequency["predicted"], marker="s", label="model")
    ax.plot(pos, by_frequency["naive"], linestyle="--", color="grey", label="naive (past rate)")
    ax.set_xticks(pos, labels)
    ax.set_xlabel("repeat purchases in the calibration period")
    ax.set_ylabel("mean purchases in the holdout period")
    ax.set_title("Calibration vs holdout")
    ax.legend()
    return _save(fig, path)


def plot_frequency_recency(
    model: Any,
    path: str | Path,
    *,
    T: float,
    t: float,
    max_frequency: int = 20,
    cells: int = 40,
) -> Path:
    """Two heatmaps over frequency x recency for customers observed ``T`` periods:
    expected purchases in the next ``t`` periods, and P(alive)."""
    freq = np.arange(max_frequency + 1, dtype=float)
    rec = np.linspace(0.0, T, cells)
    ff, rr = np.meshgrid(freq, rec, indexing="ij")
    rr = np.where(ff == 0, 0.0, rr)
    flat = (ff.ravel(), rr.ravel(), np.full(ff.size, float(T)))
    expected = model.conditional_expected_purchases(t, *flat).reshape(ff.shape)
    alive = model.probability_alive(*flat).reshape(ff.shape)
    fig = Figure(figsize=(11, 4.5))
    axes = fig.subplots(1, 2)
    extent = (0.0, float(T), -0.5, max_frequency + 0.5)
    for ax, values, title in (
        (axes[0], expected, f"expected purchases in the next {t:g} periods"),
        (axes[1], alive, "probability alive"),
    ):
        image = ax.imshow(values, origin="lower", aspect="auto", extent=extent, cmap="viridis")
        fig.colorbar(image, ax=ax)
        ax.set_xlabel("recency (time of last purchase)")
        ax.set_ylabel("repeat purchases")
        ax.set_title(title)
    return _save(fig, path)
