"""Normal forms of e-mails, phones and names."""

from __future__ import annotations

import pandas as pd
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.audience import email_keys, name_keys, normalise_email, normalise_phone, phone_keys


@pytest.mark.parametrize(
    ("given_", "exact", "mailbox"),
    [
        ("Anna.Mueller@GMAIL.com", "annamueller@gmail.com", "annamueller"),
        ("a.n.n.a+shop@googlemail.com", "anna@gmail.com", "anna"),  # alias, dots, tag
        ("anna+news@outlook.com", "anna@outlook.com", "anna"),  # plus-tags ignored there
        ("anna.mueller+x@web.de", "anna.mueller+x@web.de", "annamueller"),  # kept as is
        ("  Anna@Example.ORG ", "anna@example.org", "anna"),
        ("no-at-sign", None, None),
        ("two@@signs.com", None, None),
        ("", None, None),
    ],
)
def test_email_keys(given_, exact, mailbox):
    e, m, _ = email_keys(pd.Series([given_]))
    assert (None if pd.isna(e.iloc[0]) else e.iloc[0]) == exact
    assert (None if pd.isna(m.iloc[0]) else m.iloc[0]) == mailbox
    assert normalise_email(given_) == exact


@pytest.mark.parametrize(
    ("phone", "country", "e164"),
    [
        ("+49 30 1234567", "DE", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("030/1234567", "DE", "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("+49 (0)30 1234567", "DE", "+49301234567"),
        ("(030) 123-4567", "DE", "+49301234567"),
        ("01 2345678", "AT", "+4312345678"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("06 1234 5678", "IT", "+390612345678"),  # Italy keeps its leading 0
        ("not a phone", "DE", None),
        ("030 1234567", None, None),  # national number, no country known
    ],
)
def test_phone_keys(phone, country, e164):
    got = phone_keys(pd.Series([phone]), pd.Series([country])).iloc[0]
    assert (None if pd.isna(got) else got) == e164
    assert normalise_phone(phone, country) == e164


def test_default_region_for_customers_without_country():
    got = phone_keys(pd.Series(["030 1234567"]), pd.Series([None]), default_region="DE")
    assert got.iloc[0] == "+49301234567"


REGIONS = st.sampled_from(["DE", "AT", "CH", "NL", "FR", "GB", "US", "IT", "ES"])
DIGITS = st.text(alphabet="0123456789", min_size=4, max_size=11)
SEPARATORS = st.sampled_from(["", " ", "/", "-", "."])


@settings(max_examples=200, deadline=None)
@given(
    region=REGIONS,
    prefix=st.sampled_from(
        ["", "0", "00", "+", "+49 ", "+49 (0)", "0049", "+1", "+33 0", "+672 ", "+39 0", "+44 "]
    ),
    head=DIGITS,
    sep=SEPARATORS,
    tail=DIGITS,
)
def test_bulk_conversion_equals_phonenumbers(region, prefix, head, sep, tail):
    text = prefix + head + sep + tail
    bulk = phone_keys(pd.Series([text]), pd.Series([region])).iloc[0]
    one = normalise_phone(text, region)
    assert (None if pd.isna(bulk) else bulk) == one


def test_phonenumbers_is_the_reference():
    parsed = phonenumbers.parse("030 1234567", "DE")
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == (
        normalise_phone("030 1234567", "DE")
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Müller, Anna", "anna mueller"),
        ("Anna Mueller", "anna mueller"),
        ("  José  García-López ", "garcia jose lopez"),
        ("STRAUSS Jörg", "joerg strauss"),
        ("Jörg Strauß", "joerg strauss"),
        ("", None),
    ],
)
def test_name_keys(name, key):
    got = name_keys(pd.Series([name])).iloc[0]
    assert (None if pd.isna(got) else got) == key
