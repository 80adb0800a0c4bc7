"""The NPS trend chart: score per period with its 95% interval band (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from retain.errors import InvalidInputError
from retain.voice.breakdown import require


def trend_chart(table: pd.DataFrame, path: str | Path, *, title: str = "NPS") -> Path:
    """Draw ``table`` (rows of :func:`retain.voice.breakdown.nps_table` by period) to ``path``.

    The line is the score, the band the score interval (``score_low..score_high``),
    the dashed line the baseline when the table has one. The format follows the
    file's suffix (.png, .svg, .pdf).
    """
    require(table, "NPS table", ("group", "score", "score_low", "score_high", "n"))
    if table.empty:
        raise InvalidInputError("nothing to draw: the NPS table is empty")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    x = list(range(len(table)))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(table) + 2), 4.0))
    try:
        ax.fill_between(
            x, table["score_low"], table["score_high"], alpha=0.25, label="95% interval"
        )
        ax.plot(x, table["score"], marker="o", label="NPS")
        if "baseline_score" in table:
            ax.axhline(
                float(table["baseline_score"].iloc[0]), linestyle="--", color="grey",
                label="baseline",
            )  # fmt: skip
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xticks(x)
        labels = [f"{g}\nn={n}" for g, n in zip(table["group"], table["n"], strict=True)]
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_ylim(-100, 100)
        ax.set_ylabel("NPS (points)")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(path)
    finally:
        plt.close(fig)
    return path
