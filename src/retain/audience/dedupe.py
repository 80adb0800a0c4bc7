"""Likely duplicate customers: blocking on normalised keys, then a score and its evidence.

1. Normalise (:mod:`retain.audience.normalise`): e-mail (exact normal form and
   mailbox key), phone (E.164), name (folded, words sorted), postal code, city.
2. Block: only customers sharing a key are compared: the same e-mail, the same
   mailbox name, the same phone, the same name and postal code, or the same
   name initials and postal code (a coarse key that survives typos). Inside a
   block of more than ``window`` customers, each is compared with its
   ``window - 1`` neighbours in name order (sorted neighbourhood), so a common
   key cannot blow up the work. 1,000,000
   customers give a few million candidate pairs instead of 5 * 10^11.
3. Score each candidate pair: a sum of log-odds weights, one per piece of
   evidence (:data:`WEIGHTS`: agreement raises it, disagreement lowers it,
   missing values count for nothing), turned into 0-1 by the logistic function:
   ``score = 1 / (1 + exp(-(BIAS + sum of weights)))``. The name weight
   rests on rapidfuzz's ``ratio`` of the folded names, words sorted or as written
   (the better of the two). The weights are set by
   hand in the spirit of Fellegi & Sunter (1969): ``log(m/u)`` of how often the
   evidence holds for true pairs (m) and for different people (u); they are
   checked on a hand-made list and on the demo generator's planted duplicates
   (benchmarks/bench_dedupe.py).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from retain.audience.normalise import (
    email_keys,
    fold_names,
    initials,
    name_keys,
    phone_keys,
    place_keys,
)
from retain.errors import InvalidInputError, MissingColumnsError

__all__ = ["BIAS", "PAIR_COLUMNS", "WEIGHTS", "candidate_pairs", "find_duplicates", "prepare"]

#: the columns :func:`find_duplicates` needs; name/email/phone/... may be empty
REQUIRED = ("customer_id",)
OPTIONAL = ("name", "email", "phone", "city", "postal_code", "country")
PAIR_COLUMNS = ("customer_id_a", "customer_id_b", "score", "evidence")

BIAS = -7.0
#: log-odds weight of each piece of evidence
WEIGHTS = {
    "same_email": 7.0,  # the same mailbox after the provider's rules
    "same_mailbox_same_domain": 4.0,  # name.x@d vs namex@d or name+tag@d
    "same_mailbox_other_domain": 2.5,  # the same mailbox name at another provider
    "other_email": -1.0,
    "same_phone": 6.0,
    "other_phone": -3.0,
    "name_95": 2.5,  # name similarity >= 95
    "name_85": 2.0,  # >= 85: one typo
    "name_80": 0.0,  # >= 80
    "other_name": -5.0,  # < 80: another first name ("Karl Braun", "Erika Braun": 76)
    "same_postal_code": 1.5,
    "near_postal_code": 0.5,  # all but the last character equal
    "other_postal_code": -1.0,
    "same_city": 0.5,
    "other_city": -2.0,
}


def prepare(customers: pd.DataFrame, default_region: str | None = None) -> pd.DataFrame:
    """The normalised keys of each customer (one row per input row, same order).

    ``customers`` needs ``customer_id``; ``name``, ``email``, ``phone``, ``city``,
    ``postal_code`` and ``country`` (ISO code, the region of national phone
    numbers; else ``default_region``) are used when present.
    """
    missing = [c for c in REQUIRED if c not in customers.columns]
    if missing:
        raise MissingColumnsError("the customers table", missing, list(customers.columns))
    if customers["customer_id"].duplicated().any():
        dup = customers["customer_id"][customers["customer_id"].duplicated()].head(3).tolist()
        raise InvalidInputError(f"customer_id must be unique; repeated: {dup}")
    empty = pd.Series(pd.NA, index=customers.index, dtype="string")
    col = {c: customers[c] if c in customers.columns else empty for c in OPTIONAL}
    exact, mailbox, domain = email_keys(col["email"])
    names = name_keys(col["name"])
    postal = place_keys(col["postal_code"])
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy(),
            "email": exact,
            "mailbox": mailbox,
            "domain": domain,
            "phone": phone_keys(col["phone"], col["country"], default_region),
            "name": names,
            "name_as_written": fold_names(col["name"]),
            "initials": initials(names),
            "postal_code": postal,
            "postal_area": postal.str[:-1].where(postal.str.len() >= 4),
            "city": place_keys(col["city"]),
        },
        index=customers.index,
    ).reset_index(drop=True)


def _codes(*columns: pd.Series) -> np.ndarray:
    """One integer per distinct combination of the columns; -1 where any is missing."""
    frame = pd.concat(columns, axis=1)
    missing = frame.isna().any(axis=1).to_numpy()
    if len(columns) == 1:
        codes, _ = pd.factorize(columns[0])
    else:
        codes = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    codes = np.array(codes, dtype=np.int64)
    codes[missing] = -1
    return codes


def _block_pairs(codes: np.ndarray, rank: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows sharing a code, at most ``window - 1`` apart in ``rank`` order."""
    rows = np.flatnonzero(codes >= 0)
    rows = rows[np.lexsort((rank[rows], codes[rows]))]
    c = codes[rows]
    left, right = [], []
    for d in range(1, window):
        same = c[:-d] == c[d:]
        if not same.any():
            break
        left.append(rows[:-d][same])
        right.append(rows[d:][same])
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(left), np.concatenate(right)


#: the blocking keys: which normalised columns must agree for a pair to be compared
BLOCKS = (
    ("email",),
    ("mailbox",),
    ("phone",),
    ("name", "postal_code"),
    ("initials", "postal_code"),
)


def candidate_pairs(keys: pd.DataFrame, window: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Row positions ``(a, b)``, ``a < b``, of every pair sharing a blocking key (no repeats)."""
    if window < 2:
        raise InvalidInputError(f"window must be at least 2; got {window}")
    rank = np.argsort(np.argsort(keys["name"].fillna("").to_numpy(dtype=object), kind="stable"))
    parts = [_block_pairs(_codes(*(keys[c] for c in cols)), rank, window) for cols in BLOCKS]
    a = np.concatenate([p[0] for p in parts])
    b = np.concatenate([p[1] for p in parts])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    packed = np.unique(lo.astype(np.int64) * len(keys) + hi)
    return packed // len(keys), packed % len(keys)


def _equal(keys: pd.DataFrame, column: str, a: np.ndarray, b: np.ndarray):
    """(both present and equal, both present and different) for a key column."""
    codes, _ = pd.factorize(keys[column])  # integers compare faster than text; missing: -1
    present = codes >= 0
    both = present[a] & present[b]
    same = both & (codes[a] == codes[b])
    return same, both & ~same


#: city names this alike (rapidfuzz ratio) count as the same city ("zurich", "zuerich": 92)
CITY_SIMILARITY = 85.0


def _similar(keys: pd.DataFrame, column: str, a: np.ndarray, b: np.ndarray, cutoff: float):
    """(both present and alike, both present and not alike) for a text key column."""
    values = keys[column].fillna("").to_numpy(dtype=object)
    both = (values[a] != "") & (values[b] != "")
    alike = both & (values[a] == values[b])
    unsure = np.flatnonzero(both & ~alike)
    if len(unsure):
        ratio = process.cpdist(values[a[unsure]], values[b[unsure]], scorer=fuzz.ratio, workers=-1)
        alike[unsure[ratio >= cutoff]] = True
    return alike, both & ~alike


def score_pairs(keys: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """Evidence flags, name similarity (0-100) and the score (0-1) of each candidate pair."""
    w = WEIGHTS
    out: dict[str, np.ndarray] = {}
    same_email, other_email = _equal(keys, "email", a, b)
    same_box, _ = _equal(keys, "mailbox", a, b)
    same_domain, _ = _equal(keys, "domain", a, b)
    out["same_email"] = same_email
    out["same_mailbox_same_domain"] = same_box & same_domain & ~same_email
    out["same_mailbox_other_domain"] = same_box & ~same_domain & ~same_email
    out["other_email"] = other_email & ~same_box
    out["same_phone"], out["other_phone"] = _equal(keys, "phone", a, b)
    names = keys["name"].fillna("").to_numpy(dtype=object)
    written = keys["name_as_written"].fillna("").to_numpy(dtype=object)
    both = (names[a] != "") & (names[b] != "")
    similarity = np.zeros(len(a), dtype=np.float32)
    if both.any():
        i, j = a[both], b[both]
        # words sorted: "Walter, Sabine" = "Sabine Walter"; as written: a typo that moves a
        # word in the sorted order ("de Vries", "de rVies") still compares word by word
        similarity[both] = np.maximum(
            process.cpdist(names[i], names[j], scorer=fuzz.ratio, workers=-1),
            process.cpdist(written[i], written[j], scorer=fuzz.ratio, workers=-1),
        )
    out["name_95"] = both & (similarity >= 95)
    out["name_85"] = both & (similarity >= 85) & (similarity < 95)
    out["name_80"] = both & (similarity >= 80) & (similarity < 85)
    out["other_name"] = both & (similarity < 80)
    same_postal, other_postal = _equal(keys, "postal_code", a, b)
    near, _ = _equal(keys, "postal_area", a, b)
    out["same_postal_code"] = same_postal
    out["near_postal_code"] = other_postal & near
    out["other_postal_code"] = other_postal & ~near
    out["same_city"], out["other_city"] = _similar(keys, "city", a, b, CITY_SIMILARITY)
    total = np.full(len(a), BIAS)
    for name, flags in out.items():
        total += w[name] * flags
    frame = pd.DataFrame(out)
    frame["name_similarity"] = similarity
    frame["score"] = 1.0 / (1.0 + np.exp(-total))
    return frame


def _evidence(keys: pd.DataFrame, a: np.ndarray, b: np.ndarray, flags: pd.DataFrame) -> list[str]:
    """The evidence of each pair as a short text a reviewer can check."""
    k = {c: keys[c].fillna("").to_numpy(dtype=object) for c in keys.columns}
    f = {c: flags[c].to_numpy() for c in flags.columns}
    out = []
    for n, (i, j) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        parts = []
        if f["same_email"][n]:
            parts.append(f"same e-mail {k['email'][i]}")
        elif f["same_mailbox_same_domain"][n]:
            parts.append(f"same mailbox {k['mailbox'][i]}@{k['domain'][i]} (dots or +tag differ)")
        elif f["same_mailbox_other_domain"][n]:
            parts.append(
                f"same mailbox name {k['mailbox'][i]} at {k['domain'][i]} and {k['domain'][j]}"
            )
        elif f["other_email"][n]:
            parts.append("different e-mails")
        if f["same_phone"][n]:
            parts.append(f"same phone {k['phone'][i]}")
        elif f["other_phone"][n]:
            parts.append("different phones")
        if k["name"][i] and k["name"][j]:
            parts.append(f"names {f['name_similarity'][n]:.0f}% alike")
        if f["same_postal_code"][n]:
            parts.append(f"same postal code {k['postal_code'][i]}")
        elif f["near_postal_code"][n]:
            parts.append(f"neighbouring postal codes {k['postal_code'][i]}/{k['postal_code'][j]}")
        elif f["other_postal_code"][n]:
            parts.append("different postal codes")
        if f["same_city"][n]:
            parts.append(f"same city {k['city'][i]}")
        elif f["other_city"][n]:
            parts.append("different cities")
        out.append("; ".join(parts))
    return out


def find_duplicates(
    customers: pd.DataFrame,
    *,
    min_score: float = 0.5,
    window: int = 20,
    default_region: str | None = None,
    evidence: bool = True,
    stats: dict | None = None,
) -> pd.DataFrame:
    """Pairs of customers who are likely the same person, best first.

    ``customers``: one row per customer with ``customer_id`` and any of
    ``name``, ``email``, ``phone``, ``city``, ``postal_code``, ``country``
    (leave out customers already merged away). Returns ``customer_id_a``
    (the earlier row), ``customer_id_b``, ``score`` (0-1, pairs with at least
    ``min_score``), ``evidence`` (text, when ``evidence``) and the evidence flags.
    ``stats`` (a dict, optional) receives the seconds of each phase (``prepare``,
    ``blocking``, ``scoring``, ``evidence``) and ``candidates``, the pairs compared.
    """
    clock = time.perf_counter()
    timings: dict = stats if stats is not None else {}

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[phase] = now - clock
        clock = now

    if not 0.0 <= min_score <= 1.0:
        raise InvalidInputError(f"min_score is between 0 and 1; got {min_score}")
    keys = prepare(customers, default_region)
    lap("prepare")
    a, b = candidate_pairs(keys, window)
    timings["candidates"] = len(a)
    lap("blocking")
    scored = score_pairs(keys, a, b)
    lap("scoring")
    keep = scored["score"].to_numpy() >= min_score
    a, b, scored = a[keep], b[keep], scored[keep].reset_index(drop=True)
    ids = keys["customer_id"].to_numpy()
    out = pd.DataFrame({"customer_id_a": ids[a], "customer_id_b": ids[b]})
    out["score"] = scored["score"].round(4).to_numpy()
    if evidence:
        out["evidence"] = _evidence(keys, a, b, scored)
    else:
        out["evidence"] = ""
    lap("evidence")
    flags = scored.drop(columns=["score"])
    out = pd.concat([out, flags], axis=1)
    return out.sort_values(
        ["score", "customer_id_a", "customer_id_b"], ascending=[False, True, True]
    ).reset_index(drop=True)
