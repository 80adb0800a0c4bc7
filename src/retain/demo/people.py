"""Who the demo customers are: names, contact details, demographics, consent.

All columns are drawn independently of the purchase process except ``created_at`` (given).
Missing values are part of the realism: about 10% without a birth year, 30% without an
income band, 10% without a phone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from retain.demo import names

_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", " ": ""})


def ascii_lower(word: str) -> str:
    """A name as it would appear in an e-mail address: lower case, umlauts spelled out."""
    return word.lower().translate(_ASCII)


def _pick(rng: np.random.Generator, options: tuple, n: int, weights=None) -> np.ndarray:
    """``n`` draws from ``options`` as an object array (weights normalised)."""
    probabilities = None if weights is None else np.asarray(weights) / np.sum(weights)
    return np.asarray(options, dtype=object)[rng.choice(len(options), n, p=probabilities)]


def phone_text(style: np.ndarray, calling: pd.Series, area: pd.Series, local: pd.Series):
    """Telephone numbers written in one of three house styles.

    Style 0: ``+49 30 1234567``; 1: ``030 1234567``; 2: ``030/1234567``; 3: ``+49301234567``.
    """
    international = "+" + calling + " " + area + " " + local
    national = "0" + area + " " + local
    slashed = "0" + area + "/" + local
    compact = "+" + calling + area + local
    out = international.where(style == 0, national)
    out = out.where(style != 2, slashed)
    return out.where(style != 3, compact)


def make_people(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """``n`` people with the customer columns except ids and ``created_at``.

    Extra columns starting with ``_`` (first and last name, phone parts, postal prefix) let
    the duplicate planter write the same person differently; drop them before export.
    """
    gender = _pick(rng, ("female", "male", "diverse", ""), n, (0.49, 0.46, 0.01, 0.04))
    female = (gender == "female") | ((gender != "male") & (rng.random(n) < 0.5))
    first_f = rng.integers(0, len(names.FIRST_NAMES_FEMALE), n)
    first_m = rng.integers(0, len(names.FIRST_NAMES_MALE), n)
    first = np.where(
        female,
        np.asarray(names.FIRST_NAMES_FEMALE, dtype=object)[first_f],
        np.asarray(names.FIRST_NAMES_MALE, dtype=object)[first_m],
    )
    last = _pick(rng, names.LAST_NAMES, n)
    first_s, last_s = pd.Series(first, dtype=object), pd.Series(last, dtype=object)
    name = first_s + " " + last_s

    first_a = first_s.map(ascii_lower)
    last_a = last_s.map(ascii_lower)
    pattern = rng.choice(4, n, p=(0.45, 0.2, 0.2, 0.15))
    local = (first_a + "." + last_a).where(pattern == 0, first_a + last_a)
    local = local.where(pattern != 2, first_a.str[0] + "." + last_a)
    local = local.where(pattern != 3, first_a + "_" + last_a)
    domain = pd.Series(_pick(rng, names.EMAIL_DOMAINS, n, names.EMAIL_DOMAIN_WEIGHTS))
    taken = pd.DataFrame({"local": local, "domain": domain}).groupby(["local", "domain"]).cumcount()
    local = local.where(taken == 0, local + taken.astype(str))
    email = local + "@" + domain

    city_weights = np.array([c[5] for c in names.CITIES], dtype=float)
    city = rng.choice(len(names.CITIES), n, p=city_weights / city_weights.sum())
    table = pd.DataFrame(
        names.CITIES, columns=["city", "region", "country", "prefix", "area", "weight"]
    ).iloc[city]
    country = table["country"].to_numpy()
    calling = pd.Series(country).map(names.COUNTRY_CALLING_CODES)
    area = pd.Series(table["area"].to_numpy())
    local_number = pd.Series(rng.integers(1_000_000, 9_999_999, n)).astype(str)
    style = rng.choice(4, n, p=(0.55, 0.3, 0.1, 0.05))
    phone = phone_text(style, calling, area, local_number)
    phone = phone.where(rng.random(n) >= 0.1, "")
    prefix = pd.Series(table["prefix"].to_numpy())
    digits = pd.Series(country).map(names.POSTAL_CODE_LENGTH) - prefix.str.len()
    filler = pd.Series(rng.integers(0, 1000, n)).astype(str).str.zfill(3)
    postal = prefix + filler.str[:1] + filler.str[1:2].where(digits >= 2, "")
    postal = postal + filler.str[2:3].where(digits >= 3, "")

    has_company = rng.random(n) < 0.12
    company = (
        pd.Series(_pick(rng, names.COMPANY_TRADES, n))
        + " "
        + last_s
        + " "
        + pd.Series(_pick(rng, names.COMPANY_SUFFIXES, n))
    ).where(has_company, "")

    birth_year = pd.Series(
        np.clip(np.round(rng.normal(1979, 14, n)), 1935, 2007), dtype="Int64"
    ).mask(rng.random(n) < 0.1)
    profession = pd.Series(_pick(rng, names.PROFESSIONS, n)).where(rng.random(n) >= 0.15, "")
    income = pd.Series(_pick(rng, names.INCOME_BANDS, n, names.INCOME_WEIGHTS))
    income = income.where(rng.random(n) >= 0.3, "")
    channel = _pick(rng, names.ACQUISITION_CHANNELS, n, names.ACQUISITION_WEIGHTS)

    consent = rng.random(n) < 0.8
    do_not_contact = rng.random(n) < 0.02
    reason = pd.Series(_pick(rng, names.DO_NOT_CONTACT_REASONS, n)).where(do_not_contact, "")
    tags = pd.Series(np.where(has_company, "b2b", ""), dtype=object)
    fair = rng.random(n) < 0.04
    tags = tags.where(~fair, (tags + ";trade fair").str.lstrip(";"))
    newsletter = consent & (channel == "newsletter signup")
    tags = tags.where(~newsletter, (tags + ";newsletter").str.lstrip(";"))

    return pd.DataFrame(
        {
            "name": name,
            "email": email,
            "phone": phone,
            "company": company,
            "birth_year": birth_year,
            "gender": gender,
            "profession": profession,
            "income_band": income,
            "city": table["city"].to_numpy(),
            "region": table["region"].to_numpy(),
            "country": country,
            "postal_code": postal,
            "acquisition_channel": channel,
            "email_consent": consent,
            "do_not_contact": do_not_contact,
            "do_not_contact_reason": reason,
            "tags": tags,
            "_first": first_s,
            "_last": last_s,
            "_calling": calling,
            "_area": area,
            "_local": local_number,
            "_style": style,
        }
    )
