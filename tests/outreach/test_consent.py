"""Consent and pressure: opted-out, do-not-contact and capped customers are never reached.

Every path is tried: campaign send (real SMTP server), single send, CSV
export and the plan; and a transport handed an uncleared customer refuses.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.errors import ConflictError, PermissionDeniedError
from retain.outreach import (
    Clearance,
    CsvExport,
    SmtpTransport,
    clear,
    create_campaign,
    decide,
    export_campaign,
    plan,
    quiet_until,
    send_campaign,
    send_message,
)
from retain.store import outreach as db

from .kit import NOW, SECRET, cfg

UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def crowd(seed):
    """One customer per reason to stay away, and two who may be contacted."""
    ids = {
        "ok": seed.customer("OK"),
        "ok2": seed.customer("OK2", email_consent=True),
        "dnc": seed.customer("DNC", do_not_contact=True, do_not_contact_reason="asked on phone"),
        "withdrew": seed.customer("WITHDREW", email_consent=False),
        "unsub": seed.customer("UNSUB"),
        "bounced": seed.customer("BOUNCED"),
        "letgo": seed.customer("LETGO", let_go=True),
        "rival": seed.customer("RIVAL", competitor_status="confirmed"),
        "capped": seed.customer("CAPPED"),
        "quiet": seed.customer("QUIET"),
        "nomail": seed.customer("NOMAIL", email=None),
        "case": seed.customer("CASE"),
    }
    for cid in ids.values():
        seed.order(cid, 400)
    # capped: 2 e-mails in the last 30 days (cap 2); quiet: a call yesterday
    seed.contact(ids["capped"], 20)
    seed.contact(ids["capped"], 10)
    seed.contact(ids["quiet"], 1, channel="phone")
    seed.case(ids["case"], due_in_hours=50)
    store = seed.store
    db.unsubscribe(store, customer_id=ids["unsub"], email=None, campaign_id=None, at=NOW)
    db.record_bounce(
        store, customer_id=ids["bounced"], email="bounced@example.com", reason="550", at=NOW
    )
    return ids


REASONS = {
    "dnc": "do-not-contact: asked on phone",
    "withdrew": "withdrew consent",
    "unsub": "withdrew consent",  # the unsubscribe withdrew consent and suppressed
    "bounced": "suppressed for email: bounce",
    "letgo": "let go: the business decided to end this relationship",
    "rival": "confirmed competitor",
    "capped": "frequency cap: 2 email contact(s) in the last 30 days (cap 2)",
    "quiet": "quiet period: contacted 1 day(s) ago (quiet_after_contact_days = 3)",
    "nomail": "no e-mail address",
    "case": "open case: no marketing until it is resolved",
}


def test_the_gate_gives_each_reason(store, crowd):
    c = clear(
        store,
        list(crowd.values()),
        channel="email",
        purpose="marketing",
        now=NOW,
        cfg=cfg(),
        tz=UTC_ZONE,
    )
    assert c.allowed == {crowd["ok"], crowd["ok2"]}
    assert {k: c.blocked[crowd[k]] for k in REASONS} == REASONS


def test_service_messages_still_reach_a_customer_with_an_open_case(store, crowd):
    c = clear(
        store,
        [crowd["case"], crowd["dnc"]],
        channel="email",
        purpose="service",
        now=NOW,
        cfg=cfg(),
        tz=UTC_ZONE,
    )
    assert c.allowed == {crowd["case"]}  # do-not-contact holds even for service


def test_opt_in_setting_blocks_customers_never_asked(store, crowd):
    c = clear(
        store,
        [crowd["ok"], crowd["ok2"]],
        channel="email",
        purpose="marketing",
        now=NOW,
        cfg=cfg(email_requires_opt_in=True),
        tz=UTC_ZONE,
    )
    assert c.allowed == {crowd["ok2"]}
    assert c.blocked[crowd["ok"]] == "never opted in to e-mail (email_requires_opt_in)"


def test_quiet_hours_block_everyone_and_say_until_when():
    berlin = ZoneInfo("Europe/Berlin")
    # 21:30 in Berlin (UTC+1 in March) is inside 21:00-08:00; it ends at 08:00 next day
    late = datetime(2026, 3, 11, 20, 30, tzinfo=UTC)
    assert quiet_until(late, "21:00-08:00", berlin) == datetime(2026, 3, 12, 7, 0, tzinfo=UTC)
    assert quiet_until(NOW, "21:00-08:00", berlin) is None  # 13:00 in Berlin
    assert quiet_until(NOW, "12:00-14:00", UTC_ZONE) == datetime(2026, 3, 11, 14, 0, tzinfo=UTC)
    assert quiet_until(NOW, "", UTC_ZONE) is None


def test_campaign_send_never_reaches_the_blocked(store, crowd, smtp):
    inbox, port = smtp
    settings = cfg(smtp_port=port, control_share=0.0)
    create_campaign(
        store,
        name="spring",
        subject="Hello {{ first_name }}",
        body="Dear {{ name }}",
        audience={"customers": [f"{k.upper()}" for k in ("ok", "ok2", *REASONS)]},
        now=NOW,
        cfg=settings,
        seed=1,
    )
    with SmtpTransport(settings) as transport:
        summary = send_campaign(
            store, "spring", now=NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET, transport=transport
        )
    assert sorted(inbox.recipients) == ["ok2@example.com", "ok@example.com"]
    assert summary.counts["sent"] == 2
    log = db.sends(store, db.campaign(store, "spring")["id"])
    skipped = dict(zip(log["customer_id"], log["reason"], strict=True))
    # hard refusals never even enter the audience; caps and quiet periods are logged
    assert set(db.members(store, 1)["customer_id"]) == {
        crowd[k] for k in ("ok", "ok2", "capped", "quiet", "case")
    }
    assert skipped[crowd["capped"]] == REASONS["capped"]
    assert skipped[crowd["quiet"]] == REASONS["quiet"]


def test_single_send_refuses_the_opted_out(store, crowd, smtp):
    inbox, port = smtp
    settings = cfg(smtp_port=port)
    with SmtpTransport(settings) as transport:
        for key in REASONS:
            summary = send_message(
                store,
                key.upper(),
                subject="A word",
                body="Hi",
                now=NOW,
                cfg=settings,
                tz=UTC_ZONE,
                secret=SECRET,
                transport=transport,
            )
            assert summary.counts == {"skipped": 1}, key
            assert summary.rows[0]["reason"] == REASONS[key]
        ok = send_message(
            store,
            "OK",
            subject="A word",
            body="Hi",
            now=NOW,
            cfg=settings,
            tz=UTC_ZONE,
            secret=SECRET,
            transport=transport,
        )
    assert ok.counts == {"sent": 1}
    assert inbox.recipients == ["ok@example.com"]


def test_export_leaves_out_the_opted_out(store, crowd, tmp_path):
    settings = cfg(control_share=0.0)
    create_campaign(
        store,
        name="csv",
        subject="Hi",
        body="Hello {{ name }}",
        audience={"customers": ["OK", "OK2", "CAPPED", "WITHDREW", "DNC"]},
        now=NOW,
        cfg=settings,
        channel="csv",
        seed=3,
    )
    out = tmp_path / "export.csv"
    summary = export_campaign(store, "csv", out, now=NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET)
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["customer_id"] for r in rows) == ["OK", "OK2"]
    assert summary.counts == {"exported": 2, "skipped": 1}
    # the export counts as a contact: a second export the same day is capped/quiet
    timeline = db.contacts_since(store, NOW - timedelta(minutes=1), [crowd["ok"]])
    assert timeline["kind"].tolist() == ["campaign:exported"]


def test_the_plan_leaves_out_the_opted_out(store, crowd):
    # every customer is a win-back candidate (one order 400 days ago): only OK and OK2 remain,
    # the case owner gets the case rule only if due soon (it is not)
    rows = plan(store, as_of=NOW, cfg=cfg(), save=False)
    assert sorted(r["customer_id"] for r in rows) == ["OK", "OK2"]


def test_transports_refuse_a_customer_without_clearance(tmp_path, smtp):
    _, port = smtp
    nobody = Clearance("email", "marketing", NOW, frozenset({1}))
    with SmtpTransport(cfg(smtp_port=port)) as t, pytest.raises(PermissionDeniedError):
        t.send(nobody, 2, EmailMessage())
    with (tmp_path / "x.csv").open("w") as fh, pytest.raises(PermissionDeniedError):
        CsvExport(fh).send(nobody, 2, {})
    phone_only = Clearance("phone", "marketing", NOW, frozenset({2}))
    with (tmp_path / "y.csv").open("w") as fh, pytest.raises(PermissionDeniedError):
        CsvExport(fh).send(phone_only, 2, {})


def test_campaign_send_refused_in_quiet_hours(store, crowd, smtp):
    _, port = smtp
    settings = cfg(smtp_port=port, quiet_hours="11:00-13:00")
    create_campaign(
        store,
        name="noon",
        subject="Hi",
        body="Hi",
        audience={"customers": ["OK"]},
        now=NOW,
        cfg=settings,
    )
    with pytest.raises(ConflictError, match="quiet hours until 13:00"):
        send_campaign(store, "noon", now=NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET)
    assert db.sends(store, db.campaign(store, "noon")["id"]).empty
    assert db.campaign(store, "noon")["status"] == "draft"


PEOPLE_COLUMNS = list(db.CUSTOMER_COLUMNS)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "email_consent": st.sampled_from([None, True, False]),
                "do_not_contact": st.booleans(),
                "let_go": st.booleans(),
                "competitor_status": st.sampled_from(["none", "suspected", "confirmed"]),
                "merged": st.booleans(),
                "suppressed": st.booleans(),
                "has_email": st.booleans(),
                "contacts": st.integers(0, 3),
            }
        ),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["email", "phone", "letter"]),
    st.sampled_from(["marketing", "service"]),
)
def test_no_flag_combination_lets_an_opted_out_customer_through(people, channel, purpose):
    """Whatever the flags, an allowed customer has none of the never-overridden ones."""
    rows, sup, contacts = [], [], []
    for i, p in enumerate(people, start=1):
        rows.append(
            {
                "customer_id": i,
                "external_id": f"C{i}",
                "email": f"c{i}@example.com" if p["has_email"] else None,
                "email_consent": p["email_consent"],
                "do_not_contact": p["do_not_contact"],
                "do_not_contact_reason": None,
                "let_go": p["let_go"],
                "competitor_status": p["competitor_status"],
                "merged_into_id": 999 if p["merged"] else None,
            }
        )
        if p["suppressed"]:
            sup.append({"customer_id": i, "email": None, "channel": channel, "reason": "x"})
        for k in range(p["contacts"]):
            contacts.append(
                {"customer_id": i, "channel": channel, "occurred_at": NOW - timedelta(days=5 + k)}
            )
    frame = pd.DataFrame(rows, columns=PEOPLE_COLUMNS)
    out = decide(
        frame,
        pd.DataFrame(contacts, columns=["customer_id", "channel", "occurred_at"]),
        pd.DataFrame(sup, columns=["customer_id", "email", "channel", "reason"]),
        set(),
        channel=channel,
        purpose=purpose,
        now=NOW,
        cfg=cfg(),
    )
    for p, ok in zip(people, out["allowed"], strict=True):
        if ok:
            assert not (p["do_not_contact"] or p["let_go"] or p["merged"] or p["suppressed"])
            assert p["competitor_status"] != "confirmed"
            if channel == "email" or purpose == "marketing":
                assert p["email_consent"] is not False
            cap = {"email": 2, "phone": 1, "letter": 1}[channel]
            assert p["contacts"] < cap
            if channel == "email":
                assert p["has_email"]
