"""Loaders for the public BTYD data sets copied into tests/data/btyd."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parent.parent / "data" / "btyd"


def cdnow_summary() -> pd.DataFrame:
    """CDNOW sample, 2,357 customers: frequency, recency, T in weeks (39-week calibration)."""
    return pd.read_csv(DATA / "cdnow_customers_summary.csv")


def cdnow_spend() -> pd.DataFrame:
    """CDNOW sample as ID, x, t_x, T, zbar (zbar = mean spend of repeat purchases)."""
    return pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")


def donations() -> pd.DataFrame:
    """Donations data of Fader, Hardie & Shang (2010): frequency, recency, periods, weights."""
    return pd.read_csv(DATA / "donations.csv")


def cdnow_transactions() -> pd.DataFrame:
    """The CDNOW sample transaction log: customer_id (the sample id 1..2357 used by the
    summary files), ordered_at, amount."""
    raw = pd.read_csv(
        DATA / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["customer_id", "sample_id", "date", "cds", "amount"],
        dtype={"date": str},
    )
    return pd.DataFrame(
        {
            "customer_id": raw["sample_id"],
            "ordered_at": pd.to_datetime(raw["date"], format="%Y%m%d"),
            "amount": raw["amount"],
        }
    )
