"""The one road to a customer: gate, send, log, record.

:func:`dispatch` is the only caller of a transport (SMTP or CSV export).
It asks the consent gate (:func:`retain.outreach.consent.clear`) about every
customer, logs the blocked ones with their reason, hands only cleared ones
to the transport (which itself refuses anyone without a clearance), and
records every contact made as an interaction plus a send-log row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from retain.errors import PermissionDeniedError
from retain.outreach.consent import Clearance, clear
from retain.outreach.smtp import Delivery
from retain.store import Store
from retain.store import outreach as db

#: builds and delivers one customer's message: (clearance, customer row) -> Delivery
Sender = Callable[[Clearance, dict[str, Any]], Delivery]


@dataclass
class SendSummary:
    """Counts per status (sent, exported, skipped, bounced, failed) and one row per customer."""

    counts: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, customer: str, status: str, reason: str | None = None) -> None:
        """Count one customer's result."""
        self.counts[status] = self.counts.get(status, 0) + 1
        self.rows.append({"customer_id": customer, "status": status, "reason": reason or ""})


class CsvExport:
    """Rows for another sending tool, written to a CSV file; refuses uncleared customers."""

    COLUMNS = ("customer_id", "name", "email", "subject", "text", "unsubscribe_url")

    def __init__(self, out: IO[str]) -> None:
        self._writer = csv.DictWriter(out, fieldnames=list(self.COLUMNS), lineterminator="\n")
        self._writer.writeheader()

    def send(self, clearance: Clearance, customer_id: int, row: dict[str, Any]) -> Delivery:
        """Write one cleared customer's row."""
        if clearance.channel != "email" or not clearance.allows(customer_id):
            raise PermissionDeniedError(
                f"customer {customer_id} is not cleared for e-mail; exports go through the gate"
            )
        self._writer.writerow({k: row.get(k, "") for k in self.COLUMNS})
        return Delivery("exported")


def dispatch(
    store: Store,
    customer_ids: list[int],
    *,
    channel: str,
    purpose: str,
    now: datetime,
    cfg: dict[str, Any],
    tz: ZoneInfo,
    sender: Sender,
    kind: str,
    note: str | None,
    by: str | None,
    campaign_id: int | None = None,
    campaign_ref: str | None = None,
) -> SendSummary:
    """Contact ``customer_ids`` on ``channel`` through ``sender``, within consent and caps."""
    clearance = clear(
        store, customer_ids, channel=channel, purpose=purpose, now=now, cfg=cfg, tz=tz
    )
    people = db.customers(store, customer_ids)
    ext = dict(zip(people["customer_id"], people["external_id"], strict=True))
    summary = SendSummary()
    skips = []
    for cid, reason in sorted(clearance.blocked.items()):
        skips.append(
            {
                "campaign_id": campaign_id,
                "customer_id": cid,
                "channel": channel,
                "status": "skipped",
                "reason": reason,
                "at": now,
            }
        )
        summary.add(str(ext.get(cid, cid)), "skipped", reason)
    if skips:
        db.log_skips(store, [s for s in skips if s["customer_id"] in ext])
    for person in people.to_dict("records"):
        cid = int(person["customer_id"])
        if not clearance.allows(cid):
            continue
        result = sender(clearance, person)
        address = person.get("email") if channel == "email" else None
        if result.status in ("sent", "exported"):
            db.record_contact(
                store,
                customer_id=cid,
                channel=channel,
                kind=kind if result.status == "sent" else f"{kind}:exported",
                note=note,
                by_whom=by,
                at=now,
                campaign_id=campaign_id,
                campaign_ref=campaign_ref,
                address=address,
                status=result.status,
                message_id=result.message_id,
            )
        elif result.status == "bounced":
            db.record_bounce(
                store,
                customer_id=cid,
                email=address,
                reason=result.reason or "bounced",
                at=now,
                campaign_id=campaign_id,
            )
        else:
            db.log_skips(
                store,
                [
                    {
                        "campaign_id": campaign_id,
                        "customer_id": cid,
                        "channel": channel,
                        "address": address,
                        "status": "failed",
                        "reason": result.reason,
                        "at": now,
                    }
                ],
            )
        summary.add(str(person["external_id"]), result.status, result.reason)
    return summary
