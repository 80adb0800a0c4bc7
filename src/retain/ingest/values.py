"""Parsing one column of text from an import file into typed values.

Each parser takes a pandas Series of stripped text (None for empty cells)
and returns a :class:`Parsed`: the typed values and, for every cell that
could not be read, the reason. Parsers work on the distinct values of a
column, so a million rows with a few thousand distinct amounts cost a few
thousand parses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import numpy as np
import pandas as pd
from babel import Locale
from babel.numbers import get_currency_precision, list_currencies
from email_validator import EmailNotValidError, validate_email


@dataclass
class Parsed:
    """A parsed column: ``values`` aligned with the input, ``errors`` by row index."""

    values: pd.Series
    errors: dict[int, str] = field(default_factory=dict)


def _by_distinct(
    text: pd.Series, parse_one: Callable[[str], object], dtype: str = "object"
) -> Parsed:
    """Apply ``parse_one`` to each distinct non-empty value; ValueError marks a bad cell."""
    present = text.dropna()
    results: dict[str, object] = {}
    reasons: dict[str, str] = {}
    for value in pd.unique(present):
        try:
            results[value] = parse_one(value)
        except ValueError as exc:
            reasons[value] = str(exc)
    values = text.map(results, na_action="ignore")
    if dtype != "object":
        values = values.astype(dtype)
    errors = {int(i): reasons[v] for i, v in present.items() if v in reasons} if reasons else {}
    return Parsed(values, errors)


def parse_text(text: pd.Series, max_length: int = 1000) -> Parsed:
    """Free text, kept as given; longer than ``max_length`` characters is an error."""
    too_long = text.dropna()
    too_long = too_long[too_long.str.len() > max_length]
    errors = {int(i): f"longer than {max_length} characters" for i in too_long.index}
    return Parsed(text, errors)


def parse_int(text: pd.Series, low: int, high: int) -> Parsed:
    """Whole numbers between ``low`` and ``high`` inclusive (e.g. a birth year)."""

    def one(value: str) -> int:
        try:
            number = int(value.replace(" ", ""))
        except ValueError:
            raise ValueError("not a whole number") from None
        if not low <= number <= high:
            raise ValueError(f"outside {low}..{high}")
        return number

    return _by_distinct(text, one, "Int64")


_TRUE = {"true", "t", "yes", "y", "1", "x", "subscribed", "opted in", "opt-in"}
_FALSE = {"false", "f", "no", "n", "0", "unsubscribed", "opted out", "opt-out", "not_subscribed"}


def parse_bool(text: pd.Series) -> Parsed:
    """Yes/no values: true/false, yes/no, y/n, 1/0 (any case)."""

    def one(value: str) -> bool:
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ValueError("not a yes/no value (use true/false, yes/no or 1/0)")

    return _by_distinct(text, one, "boolean")


def parse_email(text: pd.Series) -> Parsed:
    """E-mail addresses, syntax-checked (no network), returned in lower case."""

    def one(value: str) -> str:
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValueError(f"not a valid e-mail address ({exc})") from None

    return _by_distinct(text, one)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names = {name.lower(): code for code, name in Locale("en").territories.items()}
    names.update({"usa": "US", "uk": "GB", "england": "GB", "deutschland": "DE"})
    return names


def parse_country(text: pd.Series) -> Parsed:
    """ISO 3166 alpha-2 country codes; English country names are accepted and converted."""
    names = _country_names()
    codes = {v for v in names.values() if len(v) == 2 and v.isalpha()}

    def one(value: str) -> str:
        up = value.strip().upper()
        if len(up) == 2 and up in codes:
            return up
        code = names.get(value.strip().lower())
        if code and len(code) == 2:
            return code
        raise ValueError("unknown country (use an ISO code such as DE, or an English name)")

    return _by_distinct(text, one)


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def parse_currency(text: pd.Series) -> Parsed:
    """ISO 4217 currency codes (any case), returned in upper case."""

    def one(value: str) -> str:
        code = value.strip().upper()
        if code not in _currencies():
            raise ValueError("unknown currency code (use ISO 4217, e.g. EUR, USD, GBP)")
        return code

    return _by_distinct(text, one)


def minor_unit_digits(currency: str) -> int:
    """Digits after the decimal point of ``currency`` (2 for EUR, 0 for JPY, 3 for KWD)."""
    return int(get_currency_precision(currency))


_MONEY_JUNK = re.compile(r"[\s\u00a0'$€£¥]|^[A-Za-z]{3}|[A-Za-z]{3}$")


def read_decimal(value: str) -> Decimal:
    """A decimal from money text: '1,234.50', '1.234,50', '€12', '12.5 EUR', '(3.00)'."""
    raw = value.strip()
    negative = raw.startswith("(") and raw.endswith(")")
    raw = _MONEY_JUNK.sub("", raw.strip("()"))
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        raw = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else raw.replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a finite number")
    return -number if negative else number


def parse_money(text: pd.Series, currency: pd.Series, *, allow_negative: bool = False) -> Parsed:
    """Amounts in integer minor units of each row's currency (cents for EUR, yen for JPY).

    More decimals than the currency has (12.345 EUR) is an error, not a rounding.
    Plain amounts ('1234.5') take a vectorised path; the rest ('1.234,50 €') are
    read one distinct value at a time.
    """
    out = pd.Series(pd.NA, index=text.index, dtype="Int64")
    errors: dict[int, str] = {}
    codes = currency.fillna("")
    for code in pd.unique(codes):
        rows = text[(codes == code).to_numpy() & text.notna().to_numpy()]
        if rows.empty:
            continue
        digits = minor_unit_digits(code) if code else 2
        pattern = r"\d{1,13}" + (rf"(?:\.\d{{1,{digits}}})?" if digits else "")
        plain = rows.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)
        if plain.any():
            numbers = pd.to_numeric(rows[plain]).to_numpy(dtype="float64")
            out.loc[rows.index[plain]] = np.round(numbers * 10**digits).astype("int64")
        if (~plain).any():
            slow = _by_distinct(
                rows[~plain], lambda value, c=code: _minor_units(value, c, allow_negative)
            )
            out.loc[slow.values.dropna().index] = slow.values.dropna().astype("int64")
            errors.update(slow.errors)
    return Parsed(out, errors)


def _minor_units(value: str, code: str, allow_negative: bool) -> int:
    number = read_decimal(value)
    if number < 0 and not allow_negative:
        raise ValueError("negative amount (record refunds in the refunded_amount column)")
    digits = minor_unit_digits(code) if code else 2
    scaled = number.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"more than {digits} decimals for {code or 'the currency'}")
    return int(scaled)


def parse_score(text: pd.Series) -> Parsed:
    """Scores and ratings as decimals ('9', '4.5', '4,5')."""

    def one(value: str) -> Decimal:
        return read_decimal(value)

    return _by_distinct(text, one)


def parse_choice(text: pd.Series, choices: dict[str, str], what: str) -> Parsed:
    """One of a closed set of words; ``choices`` maps accepted spellings (lower case) to values."""
    allowed = ", ".join(sorted(set(choices.values())))

    def one(value: str) -> str:
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        if key not in choices:
            raise ValueError(f"unknown {what} (use one of: {allowed})")
        return choices[key]

    return _by_distinct(text, one)


def parse_timestamp(text: pd.Series, default_tz: tzinfo, fmt: str | None = None) -> Parsed:
    """Times as UTC (``datetime64[us, UTC]``); a time without zone is in ``default_tz``.

    Accepts ISO 8601 ('2025-03-04', '2025-03-04 10:15', '2025-03-04T10:15:00+01:00',
    '...Z') and, when ``fmt`` is given, that strptime format.
    """
    present = text.dropna()
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    errors: dict[int, str] = {}
    if present.empty:
        return Parsed(out, errors)
    # fast path: vectorised parses of the zoned and the zone-less values
    zoned = present.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True)
    failed_parts = []
    for part, has_zone in ((present[zoned], True), (present[~zoned], False)):
        if part.empty:
            continue
        try:
            fast = pd.to_datetime(part, format=fmt or "ISO8601", errors="coerce", utc=has_zone)
        except ValueError:  # mixed offsets or formats: parse value by value
            failed_parts.append(part)
            continue
        if not has_zone:
            fast = fast.dt.tz_localize(default_tz, ambiguous="NaT", nonexistent="NaT")
        out.loc[part.index] = fast.dt.tz_convert(UTC).astype("datetime64[us, UTC]")
        failed_parts.append(part[fast.isna()])
    failed = pd.concat(failed_parts) if failed_parts else present.iloc[:0]
    for idx, value in failed.items():
        try:
            out.loc[idx] = _one_timestamp(value, default_tz, fmt)
        except ValueError as exc:
            errors[int(idx)] = str(exc)
    return Parsed(out, errors)


_SPACED_OFFSET = re.compile(r"\s+(?:UTC)?([+-]\d\d):?(\d\d)$")


def _one_timestamp(value: str, default_tz: tzinfo, fmt: str | None) -> pd.Timestamp:
    cleaned = _SPACED_OFFSET.sub(r"\1:\2", value.strip()).replace(" UTC", "+00:00")
    try:
        moment = datetime.strptime(value.strip(), fmt) if fmt else datetime.fromisoformat(cleaned)
    except ValueError:
        hint = f"expected format {fmt!r}" if fmt else "use ISO 8601 such as 2025-03-04 10:15"
        raise ValueError(f"unparseable date/time ({hint}, or give --date-format)") from None
    if moment.tzinfo is None:
        local = pd.Timestamp(moment).tz_localize(default_tz, ambiguous="raise", nonexistent="raise")
    else:
        local = pd.Timestamp(moment)
    return local.tz_convert(UTC)


def as_utc_naive(values: pd.Series) -> np.ndarray:
    """UTC times as numpy ``datetime64[us]`` (no zone), for writing to the store."""
    return values.dt.tz_convert(UTC).dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
