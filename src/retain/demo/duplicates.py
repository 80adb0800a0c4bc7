"""Planted duplicate customers: the same person registered again, written differently.

A duplicate copies an existing person and changes how he is written: the e-mail (case,
dots in the local part, a ``+tag``, or the same local part at another domain), the phone
(another notation of the same number), the name (a typo, or last name first) and sometimes
the postal code (moved within the city). He registers after the original and has no orders
of his own, or one or two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.demo import names
from retain.demo.people import phone_text

ORDERING_SHARE = 0.4  # of duplicates place one or two orders


def _typo(rng: np.random.Generator, words: pd.Series) -> pd.Series:
    """Swap two neighbouring letters or drop one, inside each word (never the capital)."""
    kinds = rng.integers(0, 2, len(words))
    where = rng.random(len(words))
    out = []
    for word, kind, u in zip(words.tolist(), kinds, where, strict=True):
        if len(word) < 4:
            out.append(word + word[-1])
            continue
        i = 2 + int(u * (len(word) - 3))  # 2 .. len - 2: the first letter stays put
        if kind == 0 and word[i] != word[i - 1]:
            out.append(word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :])
        else:
            out.append(word[:i] + word[i + 1 :])
    return pd.Series(out, index=words.index, dtype=object)


def _email_variant(rng: np.random.Generator, email: pd.Series) -> pd.Series:
    local = email.str.split("@").str[0]
    domain = email.str.split("@").str[1]
    kind = rng.integers(0, 4, len(email))
    title = local.str.title() + "@" + domain.str.upper().where(rng.random(len(email)) < 0.3, domain)
    dotted = local.str.contains(".", regex=False)
    dots = local.str.replace(".", "", regex=False).where(
        dotted, local.str[:1] + "." + local.str[1:]
    )
    tag = np.asarray(("shop", "news", "orders", "2024"), dtype=object)[
        rng.integers(0, 4, len(email))
    ]
    other = pd.Series(
        np.asarray(names.EMAIL_DOMAINS, dtype=object)[
            rng.integers(0, len(names.EMAIL_DOMAINS), len(email))
        ],
        index=email.index,
    )
    other = other.where(other != domain, "example.org").where(
        ~((other == domain) & (domain == "example.org")), "example.net"
    )
    out = title.where(kind == 0, dots + "@" + domain)
    out = out.where(kind != 2, local + "+" + tag + "@" + domain)
    return out.where(kind != 3, local + "@" + other)


def plant_duplicates(
    rng: np.random.Generator, people: pd.DataFrame, original: np.ndarray
) -> pd.DataFrame:
    """Rows (same columns as ``people``) for duplicates of the people at ``original``."""
    dup = people.iloc[original].reset_index(drop=True).copy()
    k = len(dup)
    dup["email"] = _email_variant(rng, dup["email"])

    style = (dup["_style"].to_numpy() + rng.integers(1, 4, k)) % 4
    written = phone_text(style, dup["_calling"], dup["_area"], dup["_local"])
    dup["phone"] = written.where(dup["phone"] != "", "")

    how = rng.integers(0, 3, k)
    typo_last = dup["_first"] + " " + _typo(rng, dup["_last"])
    typo_first = _typo(rng, dup["_first"]) + " " + dup["_last"]
    swapped = dup["_last"] + np.where(rng.random(k) < 0.5, ", ", " ") + dup["_first"]
    name = typo_last.where(how == 0, typo_first)
    dup["name"] = name.where(how != 2, swapped)

    moved = rng.random(k) < 0.3
    postal = dup["postal_code"]
    last_digit = (postal.str[-1].astype(int) + 1) % 10
    dup["postal_code"] = postal.where(~moved, postal.str[:-1] + last_digit.astype(str))
    return dup
