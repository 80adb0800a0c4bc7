"""Campaigns through a real local SMTP server: messages, unsubscribe, control group, bounces."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest

from retain.errors import ConflictError, InvalidInputError, PermissionDeniedError
from retain.outreach import (
    SmtpTransport,
    create_campaign,
    draw_control,
    preview,
    record_bounce,
    send_campaign,
    send_due,
    unsubscribe,
    unsubscribe_token,
)
from retain.store import open_store
from retain.store import outreach as db

from .kit import NOW, SECRET, Seed, cfg

UTC_ZONE = ZoneInfo("UTC")
BODY = (
    "<p>Dear {{ first_name }},</p>\n"
    "<p>We miss you in {{ city }}.</p>\n"
    '<a href="{{ unsubscribe_url }}">unsubscribe</a>'
)


@pytest.fixture
def lapsed(seed):
    """20 lapsed customers L01..L20 (one said <b>Bob</b> & Co is his name), one bounce address."""
    ids = []
    for k in range(1, 21):
        name = "<b>Bob</b> & Co" if k == 1 else f"Ann{k} Smith"
        email = "bounce@example.com" if k == 2 else None
        extra = {"email": email} if email else {}
        cid = seed.customer(f"L{k:02d}", name=name, city="Lyon", **extra)
        seed.orders(cid, [400, 300, 200])  # gap 100 days; lapsed long-term at 200 days
        ids.append(cid)
    return ids


def make(store, port, **over):
    settings = cfg(smtp_port=port, **over)
    camp = create_campaign(
        store,
        name="miss-you",
        subject="We miss you, {{ first_name }}\nBcc: evil@example.com",
        body=BODY,
        audience={"stage": "lapsed"},
        now=NOW,
        cfg=settings,
        control_share=0.25,
        seed=42,
    )
    return camp, settings


def test_control_draw_is_random_repeatable_and_sized():
    ids = list(range(1, 101))
    treated, control = draw_control(ids, 0.25, seed=7)
    assert len(control) == 25 and len(treated) == 75
    assert set(treated) | set(control) == set(ids) and not set(treated) & set(control)
    assert draw_control(ids, 0.25, seed=7) == (treated, control)
    assert draw_control(ids, 0.25, seed=8)[1] != control
    assert control != list(range(1, 26))  # not the first ones
    with pytest.raises(InvalidInputError):
        draw_control(ids, 1.0, seed=1)


def test_send_reaches_the_treated_only_with_escaped_fields(store, lapsed, smtp):
    inbox, port = smtp
    camp, settings = make(store, port)
    members = db.members(store, camp["id"])
    assert len(members) == 20
    assert (members["stage"] == "lapsed").all()
    control = set(members.loc[members["arm"] == "control", "customer_id"])
    treated = set(members.loc[members["arm"] == "treated", "customer_id"])
    assert len(control) == 5 and len(treated) == 15

    with SmtpTransport(settings) as transport:
        summary = send_campaign(
            store,
            "miss-you",
            now=NOW,
            cfg=settings,
            tz=UTC_ZONE,
            secret=SECRET,
            transport=transport,
        )
    people = db.customers(store).set_index("customer_id")
    treated_mail = {people.at[c, "email"] for c in treated}
    control_mail = {people.at[c, "email"] for c in control}
    received = set(inbox.recipients)
    # the held-out group received nothing; every treated address but the bounce got one
    assert not received & control_mail
    assert received == treated_mail - {"bounce@example.com"}
    assert summary.counts["sent"] == len(received)
    assert summary.counts.get("bounced", 0) == int("bounce@example.com" in treated_mail)

    one = next(m for m in inbox.messages if m["To"] == "l05@example.com")
    # one line subject: the injected "Bcc" stays in the subject text, no header is added
    assert one["Subject"] == "We miss you, Ann5 Bcc: evil@example.com"
    assert one["Bcc"] is None
    html = one.get_body(("html",)).get_content()
    assert "<p>Dear Ann5,</p>" in html and "We miss you in Lyon." in html
    assert one["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one["List-Unsubscribe"].startswith("<http://localhost:8000/outreach/unsubscribe/")

    # every message sent is on the customer's timeline, tagged with the campaign
    timeline = db.contacts_since(store, NOW - timedelta(minutes=1))
    assert len(timeline) == len(received)
    assert set(timeline["kind"]) == {"campaign"}
    assert db.campaign(store, "miss-you")["status"] == "sent"
    with pytest.raises(ConflictError, match="sent already"):
        send_campaign(store, "miss-you", now=NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET)


def test_markup_in_a_name_is_escaped(store, lapsed, smtp):
    _inbox, port = smtp
    _camp, settings = make(store, port)
    rows = preview(store, "miss-you", cfg=settings, secret=SECRET, customers=["L01"])
    assert "Dear &lt;b&gt;Bob&lt;/b&gt;," in rows[0]["html"]
    assert "<b>" not in rows[0]["html"]
    assert "Dear <b>Bob</b>," in rows[0]["text"]  # the plain-text part is not HTML


def test_preview_shows_real_treated_customers(store, lapsed, smtp):
    _, port = smtp
    camp, settings = make(store, port)
    rows = preview(store, "miss-you", cfg=settings, secret=SECRET, limit=2)
    members = db.members(store, camp["id"])
    people = db.customers(store).set_index("customer_id")
    treated = {
        people.at[c, "external_id"] for c in members[members["arm"] == "treated"].customer_id
    }
    assert len(rows) == 2 and {r["customer_id"] for r in rows} <= treated
    assert rows[0]["subject"].startswith("We miss you, ")
    assert db.sends(store, camp["id"]).empty  # a preview sends nothing


def test_unsubscribe_link_end_to_end(store, lapsed, smtp):
    inbox, port = smtp
    _camp, settings = make(store, port)
    with SmtpTransport(settings) as transport:
        send_campaign(
            store,
            "miss-you",
            now=NOW,
            cfg=settings,
            tz=UTC_ZONE,
            secret=SECRET,
            transport=transport,
        )
    msg = inbox.messages[0]
    link = msg["List-Unsubscribe"].strip("<>")
    html = msg.get_body(("html",)).get_content()
    assert f'href="{link}"' in html  # the same link is in the body
    token = urlparse(link).path.rsplit("/", 1)[-1]

    done = unsubscribe(store, token, secret=SECRET, now=NOW + timedelta(hours=1))
    assert done.changed and done.email == msg["To"]
    again = unsubscribe(store, token, secret=SECRET, now=NOW + timedelta(hours=2))
    assert not again.changed
    person = db.customers(store).set_index("external_id").loc[done.customer_id]
    assert person["email_consent"] is False or person["email_consent"] == 0

    with pytest.raises(PermissionDeniedError):
        unsubscribe(store, token[:-2] + "xx", secret=SECRET, now=NOW)
    with pytest.raises(PermissionDeniedError):
        unsubscribe(store, token, secret="another-secret-0123456789", now=NOW)

    # a later campaign to the same audience leaves him out, whatever its settings
    inbox.messages.clear()
    inbox.recipients.clear()
    later = NOW + timedelta(days=40)
    create_campaign(
        store,
        name="again",
        subject="Hi",
        body="Hi",
        audience={"customers": [done.customer_id, "L03"]},
        now=later,
        cfg=settings,
        control_share=0.0,
    )
    members = db.members(store, db.campaign(store, "again")["id"])
    assert len(members) == 1  # only L03: the unsubscribed customer is not even drawn
    with SmtpTransport(settings) as transport:
        send_campaign(
            store, "again", now=later, cfg=settings, tz=UTC_ZONE, secret=SECRET, transport=transport
        )
    assert msg["To"] not in inbox.recipients


def test_a_refused_recipient_is_a_bounce_and_suppressed(store, lapsed, smtp):
    _inbox, port = smtp
    settings = cfg(smtp_port=port)
    create_campaign(
        store,
        name="b",
        subject="Hi",
        body="Hi",
        audience={"customers": ["L02", "L03"]},
        now=NOW,
        cfg=settings,
        control_share=0.0,
    )
    with SmtpTransport(settings) as transport:
        summary = send_campaign(
            store, "b", now=NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET, transport=transport
        )
    assert summary.counts == {"sent": 1, "bounced": 1}
    log = db.sends(store, db.campaign(store, "b")["id"])
    bounce = log[log["status"] == "bounced"].iloc[0]
    assert bounce["address"] == "bounce@example.com" and bounce["reason"].startswith("550")
    sup = db.suppressions(store)
    assert sup[["email", "reason"]].values.tolist() == [["bounce@example.com", "bounce"]]
    # a bounce reported later (a DSN) is recorded the same way
    assert record_bounce(store, "l03@example.com", reason="5.2.2 mailbox full", now=NOW) == 1
    assert len(db.suppressions(store)) == 2


def test_scheduled_campaigns_go_out_when_due(store, lapsed, smtp):
    inbox, port = smtp
    settings = cfg(smtp_port=port, quiet_hours="21:00-08:00")
    create_campaign(
        store,
        name="later",
        subject="Hi",
        body="Hi {{ name }}",
        audience={"customers": ["L03", "L04"]},
        now=NOW,
        cfg=settings,
        control_share=0.0,
        scheduled_at=NOW + timedelta(days=1),
    )
    assert db.campaign(store, "later")["status"] == "scheduled"
    assert send_due(store, NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET) == {}
    night = NOW + timedelta(days=1, hours=10)  # 22:00 UTC: quiet hours, nothing goes
    assert send_due(store, night, cfg=settings, tz=UTC_ZONE, secret=SECRET) == {}
    morning = NOW + timedelta(days=2)  # 12:00 the next day
    with SmtpTransport(settings) as transport:
        out = send_due(
            store, morning, cfg=settings, tz=UTC_ZONE, secret=SECRET, transport=transport
        )
    assert out["later"].counts == {"sent": 2}
    assert sorted(inbox.recipients) == ["l03@example.com", "l04@example.com"]
    assert send_due(store, morning, cfg=settings, tz=UTC_ZONE, secret=SECRET) == {}


def test_templates_are_checked_and_sandboxed(store, lapsed):
    settings = cfg()
    with pytest.raises(InvalidInputError, match="unknown field"):
        create_campaign(
            store,
            name="x",
            subject="Hi {{ nickname }}",
            body="Hi",
            audience={"stage": "lapsed"},
            now=NOW,
            cfg=settings,
        )
    with pytest.raises(InvalidInputError, match="cannot be rendered"):
        create_campaign(
            store,
            name="x",
            subject="Hi",
            body="{{ name.__class__.__mro__[1].__subclasses__() }}",
            audience={"stage": "lapsed"},
            now=NOW,
            cfg=settings,
        )
    with pytest.raises(InvalidInputError, match="at least one of"):
        create_campaign(
            store, name="x", subject="Hi", body="Hi", audience={}, now=NOW, cfg=settings
        )


def test_a_segment_audience(store, lapsed):
    from retain.audience import create_segment

    seed = Seed(store)
    berlin = seed.customer("B01", city="Berlin", country="DE")
    seed.orders(berlin, [400, 300, 200])
    create_segment(store, "germans", 'country = "DE"', NOW)
    camp = create_campaign(
        store,
        name="de",
        subject="Hallo",
        body="Hallo",
        audience={"segment": "germans", "stage": "lapsed"},
        now=NOW,
        cfg=cfg(),
        control_share=0.0,
    )
    assert db.members(store, camp["id"])["customer_id"].tolist() == [berlin]


def test_overlapping_scheduled_runs_send_each_message_once(store, lapsed, smtp, db_url):
    inbox, port = smtp
    settings = cfg(smtp_port=port)
    create_campaign(
        store,
        name="race",
        subject="Hi",
        body="Hi",
        audience={"customers": [f"L{k:02d}" for k in range(3, 13)]},
        now=NOW,
        cfg=settings,
        control_share=0.0,
        scheduled_at=NOW,
    )
    start = threading.Barrier(2)
    results: list[dict] = []

    def run() -> None:
        own = open_store(db_url, upgrade=False)
        try:
            with SmtpTransport(settings) as transport:
                start.wait()
                results.append(
                    send_due(
                        own, NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET, transport=transport
                    )
                )
        finally:
            own.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 1]  # one run took the campaign
    assert len(inbox.recipients) == 10 == len(set(inbox.recipients))


def test_a_campaign_being_sent_is_refused_unless_resumed(store, lapsed, smtp):
    inbox, port = smtp
    settings = cfg(smtp_port=port)
    camp = create_campaign(
        store,
        name="half",
        subject="Hi",
        body="Hi",
        audience={"customers": ["L03", "L04"]},
        now=NOW,
        cfg=settings,
        control_share=0.0,
    )
    # a run that died after sending to L03
    db.claim_campaign(store, camp["id"], NOW)
    l03 = db.customer_ids_by_external(store, ["L03"])["L03"]
    db.record_contact(
        store,
        customer_id=l03,
        channel="email",
        kind="campaign",
        note="Hi",
        by_whom=None,
        at=NOW,
        campaign_id=camp["id"],
        address="l03@example.com",
    )
    with pytest.raises(ConflictError, match="--resume"):
        send_campaign(store, "half", now=NOW, cfg=settings, tz=UTC_ZONE, secret=SECRET)
    later = NOW + timedelta(days=5)
    with SmtpTransport(settings) as transport:
        out = send_campaign(
            store,
            "half",
            now=later,
            cfg=settings,
            tz=UTC_ZONE,
            secret=SECRET,
            transport=transport,
            resume=True,
        )
    assert out.counts == {"sent": 1}
    assert inbox.recipients == ["l04@example.com"]


def test_an_unsubscribe_between_drawing_and_sending_is_honoured(store, lapsed, smtp):
    inbox, port = smtp
    settings = cfg(smtp_port=port)
    camp = create_campaign(
        store,
        name="late-change",
        subject="Hi",
        body="Hi",
        audience={"customers": ["L03", "L04"]},
        now=NOW,
        cfg=settings,
        control_share=0.0,
    )
    l04 = db.customer_ids_by_external(store, ["L04"])["L04"]
    token = unsubscribe_token(l04, "l04@example.com", camp["id"], secret=SECRET)
    unsubscribe(store, token, secret=SECRET, now=NOW)
    with SmtpTransport(settings) as transport:
        out = send_campaign(
            store,
            "late-change",
            now=NOW,
            cfg=settings,
            tz=UTC_ZONE,
            secret=SECRET,
            transport=transport,
        )
    assert inbox.recipients == ["l03@example.com"]
    assert out.rows == [
        {"customer_id": "L04", "status": "skipped", "reason": "withdrew consent"},
        {"customer_id": "L03", "status": "sent", "reason": ""},
    ]
