"""Competitors hiding in the customer list: matched by e-mail domain, company or name.

"Clean your database of your competitors: they might be using a different
address, but they are there." The owner lists competitor names and domains
(``[audience] competitors = [...]``, ``competitor_domains = [...]``).
A customer is flagged when:

- his e-mail domain is a competitor domain or one of its subdomains;
- his company, or his name, matches a competitor name exactly (after folding
  case, accents and legal forms such as GmbH, Ltd, Inc) or fuzzily
  (rapidfuzz ``token_set_ratio`` for companies, ``ratio`` for names, at least
  ``threshold``, default 90).

Flagged customers become ``suspected``; a person confirms them, and confirmed
competitors are left out of analytics and outreach
(:func:`retain.audience.excluded_customer_ids`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import pandas as pd
from rapidfuzz import fuzz, process

from retain.audience.normalise import email_keys
from retain.errors import InvalidInputError, MissingColumnsError

__all__ = ["MATCH_COLUMNS", "company_key", "match_competitors"]

MATCH_COLUMNS = ("customer_id", "reason", "matched", "score")
LEGAL_FORMS = {
    "gmbh",
    "co",
    "kg",
    "ag",
    "ug",
    "ek",
    "ltd",
    "limited",
    "inc",
    "llc",
    "plc",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "srl",
    "spa",
    "oy",
    "ab",
    "as",
    "corp",
    "corporation",
    "company",
    "mbh",
    "ohg",
    "gbr",
    "the",
}
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def company_key(text: str | None) -> str:
    """A company or person name folded for comparison: lower ASCII words, legal forms dropped."""
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLIT))
    folded = folded.encode("ascii", "ignore").decode("ascii")
    words = [w for w in re.split(r"[^a-z0-9]+", folded) if w and w not in LEGAL_FORMS]
    return " ".join(words)


def _domains(domains: Sequence[str]) -> list[str]:
    out = []
    for d in domains:
        d = str(d).strip().lower().lstrip("@")
        if not d or "." not in d:
            raise InvalidInputError(f"competitor domain {d!r} is not a domain such as rival.com")
        out.append(d)
    return out


def match_competitors(
    customers: pd.DataFrame,
    names: Sequence[str] = (),
    domains: Sequence[str] = (),
    *,
    threshold: float = 90.0,
) -> pd.DataFrame:
    """Customers who look like competitors, one row per customer (the strongest reason).

    ``customers``: ``customer_id`` and any of ``email``, ``company``, ``name``.
    Returns :data:`MATCH_COLUMNS`: ``reason`` (``email domain``, ``company`` or
    ``name``), ``matched`` (the competitor name or domain), ``score`` (0-100;
    100 for an exact match).
    """
    if "customer_id" not in customers.columns:
        raise MissingColumnsError("the customers table", ["customer_id"], list(customers.columns))
    if not 0 < threshold <= 100:
        raise InvalidInputError(f"threshold is a similarity within (0, 100]; got {threshold}")
    rows: list[dict] = []
    wanted = _domains(domains)
    if wanted and "email" in customers.columns:
        _, _, domain = email_keys(customers["email"])
        for cid, d in zip(customers["customer_id"], domain, strict=True):
            if isinstance(d, str):
                hit = next((w for w in wanted if d == w or d.endswith("." + w)), None)
                if hit:
                    rows.append(
                        {
                            "customer_id": cid,
                            "reason": "email domain",
                            "matched": hit,
                            "score": 100.0,
                        }
                    )
    keys = {company_key(n): str(n) for n in names if company_key(n)}
    if keys:
        choices = list(keys)
        for column in ("company", "name"):
            if column not in customers.columns:
                continue
            folded = customers[column].map(company_key)
            # a company may hold the competitor's name among other words; a person's name
            # must match as a whole ("Anna Rival" is not the firm "Rival")
            scorer = fuzz.token_set_ratio if column == "company" else fuzz.ratio
            for cid, text in zip(customers["customer_id"], folded, strict=True):
                if not text:
                    continue
                best = process.extractOne(text, choices, scorer=scorer, score_cutoff=threshold)
                if best is not None:
                    rows.append(
                        {
                            "customer_id": cid,
                            "reason": column,
                            "matched": keys[best[0]],
                            "score": float(best[1]),
                        }
                    )
    out = pd.DataFrame(rows, columns=list(MATCH_COLUMNS))
    if out.empty:
        return out
    out = out.sort_values(["customer_id", "score"], ascending=[True, False], kind="stable")
    return out.drop_duplicates("customer_id").reset_index(drop=True)
