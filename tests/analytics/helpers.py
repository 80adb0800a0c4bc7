"""Small order tables written by hand for the analytics tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd

DAY = timedelta(days=1)


def orders(rows: list[tuple]) -> pd.DataFrame:
    """Orders from ``(customer_id, day, amount[, category[, status[, refunded]]])`` tuples.

    ``day`` is a date (the order is placed at noon UTC) or a datetime.
    """
    out = []
    for i, row in enumerate(rows):
        cid, day, amount, *rest = row
        at = day if isinstance(day, datetime) else datetime(day.year, day.month, day.day, 12)
        out.append(
            {
                "order_id": i + 1,
                "customer_id": cid,
                "ordered_at": pd.Timestamp(at, tz="UTC"),
                "amount": float(amount),
                "product_category": rest[0] if len(rest) > 0 else None,
                "status": rest[1] if len(rest) > 1 else "paid",
                "refunded": float(rest[2]) if len(rest) > 2 else 0.0,
            }
        )
    frame = pd.DataFrame(out)
    frame["product_category"] = frame["product_category"].astype("string")
    return frame


def every(start: date, gap_days: int, count: int) -> list[date]:
    """``count`` days from ``start``, ``gap_days`` apart."""
    return [start + i * timedelta(days=gap_days) for i in range(count)]
