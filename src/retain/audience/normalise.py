"""Normal forms of contact details, so that one person written two ways compares equal.

- E-mail: lower case; ``googlemail.com`` is ``gmail.com``; Gmail ignores dots in
  the mailbox name; the providers in :data:`PLUS_TAG_DOMAINS` deliver
  ``name+tag@`` to ``name@``. :func:`email_keys` gives the exact normal form and a
  looser *mailbox key* (dots and ``+tag`` removed whatever the provider) that
  is weaker evidence.
- Phone: E.164 (``+493012345678``) with the ``phonenumbers`` library, the
  customer's country as the region of numbers written without a country code.
  The common notations of regions whose trunk prefix is ``0`` (``030 1234567``,
  ``0049 30 1234567``, ``+49 (0)30 1234567``) are converted in bulk from the
  library's metadata; everything else goes through ``phonenumbers.parse``.
- Names: umlauts spelled out, accents dropped, lower case, punctuation
  removed, the words sorted (``"Müller, Anna"`` -> ``"anna mueller"``).
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneMetadata

__all__ = [
    "PLUS_TAG_DOMAINS",
    "email_keys",
    "name_keys",
    "normalise_email",
    "normalise_phone",
    "phone_keys",
]

#: providers that deliver ``name+anything@`` to ``name@`` (their plus-tags are dropped)
PLUS_TAG_DOMAINS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "fastmail.com",
        "fastmail.fm",
        "protonmail.com",
        "proton.me",
        "pm.me",
        "posteo.de",
        "mailbox.org",
    }
)
#: providers that ignore dots in the mailbox name
DOTLESS_DOMAINS = frozenset({"gmail.com"})
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "o"})
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def _text(values: pd.Series) -> pd.Series:
    """Text values stripped, with empty text as missing."""
    out = values.astype("string").str.strip()
    return out.mask(out == "")


def _listed(parts: pa.Array, i: int, index: pd.Index) -> pd.Series:
    """The ``i``-th piece of each split text (missing where there are fewer pieces)."""
    longer = pc.greater(pc.list_value_length(parts), i).fill_null(False)
    safe = pc.if_else(longer, parts, pa.scalar(None, parts.type))
    piece = pc.list_element(safe.fill_null(pa.scalar([""] * (i + 1), parts.type)), i)
    piece = pc.if_else(longer, piece, pa.scalar(None, pa.string()))
    return pd.Series(piece.to_pandas(), index=index, dtype="string")


def email_keys(emails: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per address: the exact normal form, the mailbox key and the domain (missing: <NA>).

    Vectorised over a pandas Series; an address without exactly one ``@`` is missing.
    """
    e = _text(emails).str.lower()
    parts = pc.split_pattern(
        pa.array(e.to_numpy(dtype=object, na_value=None), type=pa.string()), "@"
    )
    ok = _flag(pd.Series(pc.list_value_length(parts).to_pandas(), index=e.index) == 2)
    local = _listed(parts, 0, e.index).where(ok)
    domain = _listed(parts, 1, e.index).where(ok).replace(DOMAIN_ALIASES)
    ok = ok & (local.str.len() > 0) & (domain.str.len() > 0)
    local, domain = local.where(ok), domain.where(ok)
    untagged = local.str.replace(r"\+.*$", "", regex=True)
    exact_local = local.where(~domain.isin(PLUS_TAG_DOMAINS), untagged)
    dotless = domain.isin(DOTLESS_DOMAINS)
    exact_local = exact_local.where(~dotless, exact_local.str.replace(".", "", regex=False))
    exact = exact_local + "@" + domain
    mailbox = untagged.str.replace(".", "", regex=False)
    mailbox = mailbox.mask(mailbox.str.len() == 0)
    return exact, mailbox, domain


def normalise_email(email: str) -> str | None:
    """The exact normal form of one address (None when it is not an address)."""
    if not email:
        return None
    value = email_keys(pd.Series([email]))[0].iloc[0]
    return None if pd.isna(value) else str(value)


@cache
def _trunk_zero(region: str) -> int | None:
    """The calling code of ``region`` if its numbers use trunk prefix 0 and exit code 00."""
    meta = PhoneMetadata.metadata_for_region(region.upper())
    if meta is None:
        return None
    simple = (
        meta.national_prefix == "0"
        and meta.national_prefix_for_parsing in (None, "0")
        and meta.national_prefix_transform_rule is None
        and meta.international_prefix == "00"
    )
    return meta.country_code if simple else None


def normalise_phone(phone: str | None, region: str | None) -> str | None:
    """One number in E.164 with ``phonenumbers`` (``region``: ISO country for national numbers).

    None when the text is empty, not a number, or national without a known region.
    """
    if phone is None or not str(phone).strip():
        return None
    try:
        code = region.upper() if isinstance(region, str) and region else "ZZ"
        parsed = phonenumbers.parse(str(phone), code)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def _plain_code(code: str) -> bool:
    """Whether numbers of calling code ``code`` need no national-prefix rewriting to parse.

    True when every region of the code has no trunk prefix or the trunk prefix 0, and
    no other prefix-for-parsing rule (Norfolk Island, for one, rewrites numbers).
    """
    if not code.isdigit():
        return False
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(code), ())
    for region in regions:
        meta = PhoneMetadata.metadata_for_region_or_calling_code(int(code), region)
        if meta is None or meta.national_prefix_transform_rule is not None:
            return False
        if meta.national_prefix not in (None, "0"):
            return False
        if meta.national_prefix_for_parsing not in (None, meta.national_prefix):
            return False
    return bool(regions)


def _possible(e164: str) -> bool:
    """Whether ``phonenumbers`` deems the number possible (its length check, cached)."""
    digits = e164[1:]
    for size in (1, 2, 3):
        if digits[:size] in _CALLING_CODES:
            return _possible_length(int(digits[:size]), len(digits) - size)
    return False


@cache
def _possible_length(country_code: int, length: int) -> bool:
    if length < 1:
        return False
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int("1" * length))
    return phonenumbers.is_possible_number(number)


_CALLING_CODES = frozenset(str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


def phone_keys(phones: pd.Series, countries: pd.Series, default_region: str | None = None):
    """E.164 numbers for a Series of phones; ``countries`` (ISO codes) give each one's region.

    Numbers in the simple notations of trunk-prefix-0 regions are converted in bulk (the
    result is the same as ``phonenumbers``, a test checks it); the rest one by one.
    """
    text = _text(phones)
    region = _text(countries).str.upper()
    if default_region:
        region = region.fillna(default_region.upper())
    out = pd.Series(pd.NA, index=phones.index, dtype="string")
    simple = _flag(text.str.fullmatch(r"\+?[0-9][0-9 /.\-]*|\+[0-9]{1,3} ?\(0\)[0-9 /.\-]+"))
    cleaned = text.str.replace("(0)", "", regex=False).str.replace(r"[ /.\-]", "", regex=True)
    codes = region.map(lambda r: _trunk_zero(r) if isinstance(r, str) else None)
    code_text = codes.astype("Int64").astype("string")
    # 00 is the exit code only in the regions of _trunk_zero (011 in the US, for example)
    double_zero = _flag(cleaned.str.startswith("00")) & _flag(codes.notna())
    intl = _flag(cleaned.str.startswith("+")) | double_zero
    digits = cleaned.str.lstrip("+").where(~double_zero, cleaned.str[2:])
    cc1 = _flag(digits.str[:1].isin(_CALLING_CODES))
    cc2 = _flag(digits.str[:2].isin(_CALLING_CODES))
    cc3 = _flag(digits.str[:3].isin(_CALLING_CODES))
    after_code = digits.str[1:2].where(cc1, digits.str[2:3].where(cc2, digits.str[3:4]))
    code = digits.str[:1].where(cc1, digits.str[:2].where(cc2, digits.str[:3]))
    plain = _flag(code.map(lambda c: _plain_code(c) if isinstance(c, str) else False))
    # +CC0... (a trunk zero after the country code) is left to the library
    international = simple & intl & (cc1 | cc2 | cc3) & plain & _flag(after_code != "0")
    national = simple & ~intl & _flag(codes.notna()) & _flag(cleaned.str.match(r"0[1-9]"))
    e164 = ("+" + digits).where(international, "+" + code_text + cleaned.str[1:])
    length = e164.str.len()
    fast = (international | national) & _flag((length >= 4) & (length <= 17))
    fast[fast] = [_possible(v) for v in e164[fast]]
    out[fast] = e164[fast]
    rest = _flag(text.notna()) & ~fast
    if rest.any():
        out[rest] = [
            normalise_phone(p, r if isinstance(r, str) else None)
            for p, r in zip(text[rest], region[rest], strict=True)
        ]
    return out


def _flag(values: pd.Series) -> np.ndarray:
    """A nullable boolean Series as a numpy bool array (missing: False)."""
    return values.fillna(False).to_numpy(dtype=bool)


def _distinct(values: pd.Series, fold) -> pd.Series:
    """``fold`` applied to the distinct values only, spread back (names and places repeat)."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    done = fold(pd.Series(uniques, dtype="string")).astype("string").to_numpy(dtype=object)
    out = np.where(codes >= 0, done[np.maximum(codes, 0)] if len(done) else None, None)
    return pd.Series(out, index=values.index, dtype="string")


def _fold(values: pd.Series) -> pd.Series:
    """Lower case ASCII words separated by one space (umlauts spelled out, accents dropped)."""
    return _distinct(values, _fold_all)


def _fold_all(values: pd.Series) -> pd.Series:
    v = _text(values).str.lower().str.translate(_TRANSLIT).str.normalize("NFKD")
    v = v.str.encode("ascii", "ignore").str.decode("ascii")
    v = v.str.replace(_NOT_WORD, " ", regex=True).str.strip()
    return v.mask(v == "")


def fold_names(names: pd.Series) -> pd.Series:
    """Names folded to lower-case ASCII words, in the order written."""
    return _fold(names).astype("string")


def name_keys(names: pd.Series) -> pd.Series:
    """Names folded to ASCII words in sorted order (``"Müller, Anna"`` -> ``"anna mueller"``)."""

    def sort_words(folded: pd.Series) -> pd.Series:
        return folded.map(lambda v: " ".join(sorted(v.split())) if isinstance(v, str) else v)

    return _distinct(names, lambda v: sort_words(_fold_all(v)))


def place_keys(values: pd.Series) -> pd.Series:
    """Cities or postal codes folded to ASCII without spaces (``"10 115"`` -> ``"10115"``)."""
    folded = _fold(values)
    return folded.str.replace(" ", "", regex=False)


def initials(keys: pd.Series) -> pd.Series:
    """The first letters of the (sorted) name words, sorted: a coarse key that survives typos."""
    return _distinct(
        keys,
        lambda u: u.map(
            lambda v: "".join(sorted(w[0] for w in v.split())) if isinstance(v, str) else v
        ),
    )
