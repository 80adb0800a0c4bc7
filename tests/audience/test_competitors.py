"""Competitor flagging on a hand-made list, and what confirmation changes."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.audience.conftest import NOW, add_customer

from retain.audience import (
    company_key,
    confirm_competitors,
    excluded_customer_ids,
    flag_competitors,
    match_competitors,
)
from retain.errors import InvalidInputError
from retain.store import audience as db

CUSTOMERS = pd.DataFrame(
    [
        # id, name, email, company
        (1, "Anna Lee", "anna@rival-shop.com", None),  # competitor domain
        (2, "Bob Ray", "bob@mail.rival-shop.com", None),  # its subdomain
        (3, "Cy Dee", "cy@example.com", "Rival Shop GmbH"),  # company, legal form dropped
        (4, "Di Fox", "di@example.com", "Rivall Shop"),  # company, one typo
        (5, "Ed Kim", "ed@example.com", "Müller & Söhne KG"),  # umlauts spelled out
        (6, "Bean Counter Coffee", "x@example.com", None),  # registered under the firm's name
        (7, "Fay Lu", "fay@notrival-shop.com", None),  # another domain ending alike
        (8, "Gus Rival", "gus@example.com", None),  # a person called Rival
        (9, "Hal Ng", "hal@example.com", "Rival Shop Berlin Branch"),  # company contains it
        (10, "Ivy Po", "ivy@example.com", "Arrival Travel"),  # looks alike, is not
        (11, "Jo Wu", None, None),
    ],
    columns=["customer_id", "name", "email", "company"],
)
NAMES = ["Rival Shop", "Mueller und Soehne", "Bean Counter Coffee Ltd"]
DOMAINS = ["rival-shop.com"]


def test_hand_made_list():
    found = match_competitors(CUSTOMERS, NAMES, DOMAINS)
    reasons = dict(zip(found.customer_id, zip(found.reason, found.matched, strict=True),
                       strict=True))  # fmt: skip
    assert reasons == {
        1: ("email domain", "rival-shop.com"),
        2: ("email domain", "rival-shop.com"),
        3: ("company", "Rival Shop"),
        4: ("company", "Rival Shop"),
        5: ("company", "Mueller und Soehne"),
        6: ("name", "Bean Counter Coffee Ltd"),
        9: ("company", "Rival Shop"),
    }
    assert found.set_index("customer_id").loc[1, "score"] == 100.0
    assert 90 <= found.set_index("customer_id").loc[4, "score"] < 100


def test_company_key_drops_legal_forms_and_folds():
    assert company_key("Müller & Söhne GmbH & Co. KG") == "mueller soehne"
    assert company_key("The Rival Company Ltd.") == "rival"
    assert company_key(None) == ""


def test_threshold_and_bad_settings():
    strict = match_competitors(CUSTOMERS, NAMES, [], threshold=100)
    assert 4 not in set(strict.customer_id)  # the typo needs fuzzy matching
    assert 3 in set(strict.customer_id)
    with pytest.raises(InvalidInputError, match="not a domain"):
        match_competitors(CUSTOMERS, [], ["rival"])
    with pytest.raises(InvalidInputError, match="threshold"):
        match_competitors(CUSTOMERS, NAMES, [], threshold=0)


def test_flag_confirm_and_exclude_on_the_store(store):
    ids = {}
    for row in CUSTOMERS.itertuples(index=False):
        ids[row.customer_id] = add_customer(
            store, f"C{row.customer_id}", name=row.name, email=row.email, company=row.company
        )
    found = flag_competitors(store, NOW, names=NAMES, domains=DOMAINS)
    assert sorted(found.customer_id) == sorted(["C1", "C2", "C3", "C4", "C5", "C6", "C9"])
    assert set(found.status) == {"suspected"}
    frame = db.customer_frame(store)
    status = dict(zip(frame.external_id, frame.competitor_status, strict=True))
    assert status["C1"] == "suspected" and status["C7"] == "none"
    assert excluded_customer_ids(store) == set()  # suspected is not excluded yet
    assert confirm_competitors(store, ["C1", "C3"], NOW) == 2
    assert excluded_customer_ids(store) == {ids[1], ids[3]}
    # flagging again leaves confirmed ones confirmed
    again = flag_competitors(store, NOW, names=NAMES, domains=DOMAINS)
    assert dict(zip(again.customer_id, again.status, strict=True))["C1"] == "confirmed"
    assert confirm_competitors(store, ["C3"], NOW, status="none") == 1
    assert excluded_customer_ids(store) == {ids[1]}


def test_flag_needs_a_list(store):
    with pytest.raises(InvalidInputError, match=r"\[audience\] competitors"):
        flag_competitors(store, NOW)
