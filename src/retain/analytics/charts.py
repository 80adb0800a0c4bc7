"""Charts of the life cycle as matplotlib figures: stage history, stage flows, cohorts.

Each function takes the table of its analytics function and returns a
``matplotlib.figure.Figure``; the caller saves it (``fig.savefig("x.png")``
or ``.svg``). The Agg backend is used: no display is needed.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from retain.analytics.flows import flow_matrix
from retain.analytics.stages import STAGES
from retain.errors import InvalidInputError

FORMATS = (".png", ".svg")
COLOURS = {
    "prospect": "#c7c7c7",
    "new": "#9ecae1",
    "active": "#4292c6",
    "loyal": "#08519c",
    "lapsed": "#fdae6b",
    "inactive": "#d94801",
}


def history_figure(history: pd.DataFrame) -> Figure:
    """Stacked areas of customers per stage at each month end (:func:`stage_history`)."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    x = pd.to_datetime(history["as_of"])
    ax.stackplot(
        x,
        *[history[s].to_numpy() for s in STAGES],
        labels=list(STAGES),
        colors=[COLOURS[s] for s in STAGES],
    )
    ax.set_ylabel("customers")
    ax.set_title("Customers per life-cycle stage, month ends")
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def flow_figure(flows: pd.DataFrame, title: str = "Stage flows") -> Figure:
    """The transition matrix of :func:`stage_flows` as an annotated heat map."""
    m = flow_matrix(flows)
    fig, ax = plt.subplots(figsize=(7, 5))
    ax.imshow(m.to_numpy(), cmap="Blues")
    ax.set_xticks(range(m.shape[1]), m.columns, rotation=30)
    ax.set_yticks(range(m.shape[0]), m.index)
    ax.set_xlabel("to stage")
    ax.set_ylabel("from stage")
    top = max(int(m.to_numpy().max()), 1)
    for (i, j), v in np.ndenumerate(m.to_numpy()):
        ax.text(j, i, str(v), ha="center", va="center", color="white" if v > top / 2 else "black")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def cohort_figure(matrix: pd.DataFrame, value: str = "retained_pct") -> Figure:
    """A cohort heat map: cohorts down, months since first purchase across."""
    fig, ax = plt.subplots(figsize=(10, max(3, 0.25 * len(matrix) + 1)))
    data = matrix.to_numpy(dtype=float)
    image = ax.imshow(data, aspect="auto", cmap="viridis")
    ax.set_yticks(range(len(matrix)), matrix.index, fontsize=7)
    ax.set_xlabel("months since first purchase")
    ax.set_ylabel("cohort (month of first purchase)")
    ax.set_title(f"Acquisition cohorts: {value}")
    fig.colorbar(image, ax=ax)
    fig.tight_layout()
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as PNG or SVG (by the file's extension) and close it."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InvalidInputError(f"chart file {path} must end in .png or .svg")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
