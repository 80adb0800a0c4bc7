"""Sending a campaign: by SMTP now, on schedule, as a CSV export, or one message.

Every path goes through :func:`retain.outreach.delivery.dispatch` (the
consent gate, the send log, the timeline). One run sends a campaign at a
time: the run that claims it (status ``sending``) is the only one; a run
that died is finished with ``resume``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from retain.errors import ConflictError, InvalidInputError, NotFoundError
from retain.outreach.campaigns import message_for
from retain.outreach.consent import Clearance, quiet_until
from retain.outreach.delivery import CsvExport, Sender, SendSummary, dispatch
from retain.outreach.smtp import Delivery, SmtpTransport, build_message
from retain.outreach.templates import check
from retain.store import Store
from retain.store import outreach as db


def _email_sender(
    camp: dict[str, Any], cfg: dict[str, Any], secret: str, transport: SmtpTransport, now: datetime
) -> Sender:
    """Renders, builds and sends one customer's e-mail through ``transport``."""

    def send(clearance: Clearance, person: dict[str, Any]) -> Delivery:
        rendered, url = message_for(camp, person, cfg, secret)
        msg = build_message(
            sender=cfg["from_address"],
            to=person["email"],
            rendered=rendered,
            unsubscribe_url=url,
            at_timestamp=now.timestamp(),
        )
        return transport.send(clearance, int(person["customer_id"]), msg)

    return send


def _claim(store: Store, camp: dict[str, Any], now: datetime, resume: bool) -> None:
    """Take the campaign for this run; ConflictError if another run has it."""
    if db.claim_campaign(store, camp["id"], now):
        return
    if not (resume and db.campaign(store, camp["id"])["status"] == "sending"):
        raise ConflictError(
            f"campaign {camp['name']!r} is being sent by another run; if that run died, "
            "send it again with --resume"
        )


def send_campaign(
    store: Store,
    ref: int | str,
    *,
    now: datetime,
    cfg: dict[str, Any],
    tz: ZoneInfo,
    secret: str,
    transport: SmtpTransport | None = None,
    by: str | None = None,
    resume: bool = False,
) -> SendSummary:
    """Send an e-mail campaign to its treated arm now (never to the control arm).

    Refused inside the quiet hours. One run at a time: a campaign another run
    is sending is refused, unless ``resume`` (that run died); customers already
    in the campaign's send log are not sent to again.
    """
    camp = db.campaign(store, ref)
    if camp["channel"] != "email":
        raise InvalidInputError(
            f"campaign {camp['name']!r} is a CSV export: use --export FILE instead of sending"
        )
    if camp["status"] == "sent":
        raise ConflictError(f"campaign {camp['name']!r} was sent already")
    until = quiet_until(now, cfg["quiet_hours"], tz)
    if until is not None:
        raise ConflictError(
            f"quiet hours until {until.astimezone(tz):%H:%M}: send later or schedule it (--at)"
        )
    _claim(store, camp, now, resume)
    m = db.members(store, camp["id"])
    todo = sorted(
        set(m.loc[m["arm"] == "treated", "customer_id"].astype(int))
        - db.attempted(store, camp["id"])
    )
    own = transport is None
    transport = transport or SmtpTransport(cfg)
    if own:
        transport.__enter__()
    try:
        summary = dispatch(
            store,
            todo,
            channel="email",
            purpose="marketing",
            now=now,
            cfg=cfg,
            tz=tz,
            sender=_email_sender(camp, cfg, secret, transport, now),
            kind="campaign",
            note=f"campaign {camp['name']}: {camp['subject']}",
            by=by,
            campaign_id=camp["id"],
            campaign_ref=camp["name"],
        )
    finally:
        if own:
            transport.__exit__(None, None, None)
    db.set_campaign(store, camp["id"], {"status": "sent", "finished_at": now})
    return summary


def export_campaign(
    store: Store,
    ref: int | str,
    path: Path,
    *,
    now: datetime,
    cfg: dict[str, Any],
    tz: ZoneInfo,
    secret: str,
    by: str | None = None,
) -> SendSummary:
    """Write the treated customers the gate clears to a CSV file for another sending tool."""
    camp = db.campaign(store, ref)
    if camp["status"] == "sent":
        raise ConflictError(f"campaign {camp['name']!r} was sent or exported already")
    _claim(store, camp, now, resume=False)
    m = db.members(store, camp["id"])
    todo = m.loc[m["arm"] == "treated", "customer_id"].astype(int).tolist()
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        export = CsvExport(fh)

        def send(clearance: Clearance, person: dict[str, Any]) -> Delivery:
            rendered, url = message_for(camp, person, cfg, secret)
            row = {
                "customer_id": person["external_id"],
                "name": person["name"],
                "email": person["email"],
                "subject": rendered.subject,
                "text": rendered.text,
                "unsubscribe_url": url,
            }
            return export.send(clearance, int(person["customer_id"]), row)

        summary = dispatch(
            store,
            todo,
            channel="email",
            purpose="marketing",
            now=now,
            cfg=cfg,
            tz=tz,
            sender=send,
            kind="campaign",
            note=f"campaign {camp['name']} exported to {Path(path).name}: {camp['subject']}",
            by=by,
            campaign_id=camp["id"],
            campaign_ref=camp["name"],
        )
    db.set_campaign(store, camp["id"], {"status": "sent", "finished_at": now})
    return summary


def send_due(
    store: Store,
    now: datetime,
    *,
    cfg: dict[str, Any],
    tz: ZoneInfo,
    secret: str,
    transport: SmtpTransport | None = None,
) -> dict[str, SendSummary]:
    """Send every scheduled e-mail campaign whose time has come (run it from cron).

    Does nothing inside the quiet hours (the campaigns stay due for the next run).
    Runs may overlap: each campaign is claimed by one of them only.
    """
    if quiet_until(now, cfg["quiet_hours"], tz) is not None:
        return {}
    out = {}
    for cid in db.due_campaigns(store, now):
        camp = db.campaign(store, cid)
        if camp["channel"] != "email":
            continue
        try:
            out[camp["name"]] = send_campaign(
                store,
                cid,
                now=now,
                cfg=cfg,
                tz=tz,
                secret=secret,
                transport=transport,
                by="schedule",
            )
        except ConflictError:
            continue  # another run took it between the listing and the claim
    return out


def send_message(
    store: Store,
    customer: str,
    *,
    subject: str,
    body: str,
    now: datetime,
    cfg: dict[str, Any],
    tz: ZoneInfo,
    secret: str,
    transport: SmtpTransport,
    purpose: str = "marketing",
    by: str | None = None,
) -> SendSummary:
    """Send one e-mail to one customer (external id), through the same gate as campaigns."""
    check(subject, body)
    found = db.customer_ids_by_external(store, [customer])
    if customer not in found:
        raise NotFoundError(f"no customer {customer!r}: use the external id")
    camp = {"id": None, "subject": subject, "body": body}
    return dispatch(
        store,
        [found[customer]],
        channel="email",
        purpose=purpose,
        now=now,
        cfg=cfg,
        tz=tz,
        sender=_email_sender(camp, cfg, secret, transport, now),
        kind="message",
        note=subject,
        by=by,
    )
