"""``retain cases``: list, show, open, assign, comment, resolve, reopen, close, check-sla, metrics.

Thin layer over :mod:`retain.service`: each command parses its options,
calls one service function and prints the result as a table, CSV or JSON.
Changes take ``--version`` (the version you read with ``show``): if someone
else changed the case since, the command refuses instead of overwriting.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from retain import service
from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    new_app,
    parse_moment,
    records,
)
from retain.config import load_settings
from retain.errors import NotFoundError
from retain.service.sla import cases_settings
from retain.store import cases as db

app = new_app("Service cases: complaints and follow-ups with owners, SLAs, escalation and metrics.")

LIST_COLUMNS = (
    "id",
    "customer",
    "subject",
    "priority",
    "status",
    "owner",
    "opened_at",
    "first_response_due_at",
    "resolution_due_at",
    "breached",
    "version",
)
CASE_FIELDS = (
    "id",
    "customer",
    "customer_name",
    "source",
    "subject",
    "description",
    "category",
    "priority",
    "priority_reason",
    "status",
    "owner",
    "opened_at",
    "first_response_due_at",
    "first_responded_at",
    "resolution_due_at",
    "resolved_at",
    "closed_at",
    "paused_seconds",
    "resolution_code",
    "resolution_note",
    "reopen_count",
    "feedback_id",
    "version",
)
EVENT_COLUMNS = ("at", "actor", "kind", "field", "old_value", "new_value", "body", "internal")


class Source(StrEnum):
    complaint = "complaint"
    detractor = "detractor"
    bad_review = "bad_review"
    email = "email"
    call = "call"
    manual = "manual"


class Status(StrEnum):
    open = "open"
    pending = "pending"
    resolved = "resolved"
    closed = "closed"


class View(StrEnum):
    summary = "summary"
    backlog = "backlog"
    sla = "sla"
    retention = "retention"


ActorOption = Annotated[
    str | None,
    typer.Option("--as", help="Who does this, as written in the audit trail (default: $USER)."),
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now", help="Act at this time, ISO 8601 (default: the current time; for scripts)."
    ),
]
VersionOption = Annotated[
    int | None,
    typer.Option(
        "--version",
        help="The case version you read (see `show`); refused if the case changed since.",
    ),
]
CaseArg = Annotated[int, typer.Argument(help="The case number.")]


def _actor(given: str | None) -> str:
    if given:
        return given
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _print_case(case: dict[str, Any], fmt: OutputFormat, *, with_events: bool = False) -> None:
    fields = {k: case.get(k) for k in CASE_FIELDS}
    events = [{k: e.get(k) for k in EVENT_COLUMNS} for e in case.get("events", [])]
    if fmt is OutputFormat.json:
        payload = records([fields])[0]
        if with_events:
            payload["events"] = records(events)
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    elif fmt is OutputFormat.csv:
        emit(events if with_events else [fields], fmt, columns=None if with_events else CASE_FIELDS)
    else:
        emit(
            [{"field": k, "value": v} for k, v in records([fields])[0].items()],
            fmt,
            title=f"case {case['id']}",
        )
        if with_events:
            emit([_history_row(e) for e in events], fmt, title="history")


def _history_row(event: dict[str, Any]) -> dict[str, Any]:
    """A compact history line for the table view: when, who, what, change, text."""
    change = ""
    if event["old_value"] is not None or event["new_value"] is not None:
        change = f"{event['old_value'] or '-'} -> {event['new_value'] or '-'}"
    text = event["body"] or ""
    return {
        "at": f"{event['at']:%Y-%m-%d %H:%M}",
        "who": event["actor"],
        "what": ("internal " if event["internal"] else "") + event["kind"],
        "change": change,
        "text": text,
    }


@app.command("list")
def list_(
    status: Annotated[
        list[Status] | None,
        typer.Option("--status", help="Only cases in this status (repeatable)."),
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only cases of this user.")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", help="Only cases of this customer (external id).")
    ] = None,
    breached: Annotated[
        bool, typer.Option("--breached", help="Only open cases that missed an SLA target.")
    ] = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many cases.")] = 100,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List cases, newest first, with the SLA targets each has missed."""
    store = cli_store(db_)
    customer_id = None
    if customer is not None:
        with db.reading(store) as tx:
            found = tx.customer_by_ref(customer)
        if found is None:
            raise NotFoundError(f"no customer {customer!r}")
        customer_id = found["id"]
    frame = service.find_cases(
        store,
        now=parse_moment(now),
        statuses=[s.value for s in status] if status else None,
        owner=owner,
        customer_id=customer_id,
        breached_only=breached,
        limit=limit,
    )
    if fmt is OutputFormat.table:
        emit([_list_row(r) for r in records(frame)], fmt, title="cases")
    else:
        emit(frame, fmt, title="cases", columns=LIST_COLUMNS)


def _list_row(row: dict[str, Any]) -> dict[str, Any]:
    """A narrower row for the table view: short times, the next due time only."""
    due = row["first_response_due_at"] if not row["first_responded_at"] else None
    due = due or (row["resolution_due_at"] if row["status"] in ("open", "pending") else None)
    return {
        "id": row["id"],
        "customer": row["customer"],
        "subject": row["subject"],
        "priority": row["priority"],
        "status": row["status"],
        "owner": row["owner"],
        "opened": _short(row["opened_at"]),
        "next due": _short(due),
        "breached": row["breached"],
        "v": row["version"],
    }


def _short(iso: str | None) -> str:
    """``2025-03-03 09:00`` from ISO text (UTC)."""
    return "" if not iso else iso[:16].replace("T", " ")


@app.command("show")
def show(
    case_id: CaseArg,
    internal: Annotated[
        bool,
        typer.Option("--internal/--no-internal", help="Include internal notes (default: yes)."),
    ] = True,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show a case and its history (CSV: the history only)."""
    case = service.get_case(cli_store(db_), case_id, include_internal=internal)
    _print_case(case, fmt, with_events=True)


@app.command("open")
def open_(
    customer: Annotated[str, typer.Option("--customer", help="The customer's external id.")],
    subject: Annotated[str, typer.Option("--subject", help="What is wrong, in a few words.")],
    source: Annotated[Source, typer.Option("--source", help="Where it came from.")] = Source.manual,
    description: Annotated[
        str | None, typer.Option("--description", help="The full story.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="A topic, e.g. Delivery, Product.")
    ] = None,
    actor: ActorOption = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Open a case: the owner, priority and due times are set by the rules."""
    store = cli_store(db_)
    with db.reading(store) as tx:
        found = tx.customer_by_ref(customer)
    if found is None:
        raise NotFoundError(f"no customer {customer!r}; import customers first")
    case_id = service.open_case(
        store,
        customer_id=found["id"],
        subject=subject,
        source=source.value,
        description=description,
        category=category,
        actor=_actor(actor),
        now=parse_moment(now),
    )
    _print_case(service.get_case(store, case_id), fmt)


@app.command("assign")
def assign(
    case_id: CaseArg,
    user: Annotated[str, typer.Argument(help="The username of the new owner.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in history).")] = None,
    version: VersionOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Give a case to another agent (recorded in the history)."""
    case = service.assign(
        cli_store(db_),
        case_id,
        owner=user,
        reason=reason,
        actor=_actor(actor),
        now=parse_moment(now),
        version=version,
    )
    _print_case(case, fmt)


@app.command("comment")
def comment(
    case_id: CaseArg,
    body: Annotated[str, typer.Argument(help="The text.")],
    internal: Annotated[
        bool, typer.Option("--internal", help="An internal note the customer never sees.")
    ] = False,
    from_customer: Annotated[
        bool,
        typer.Option("--from-customer", help="The customer wrote this (reopens a resolved case)."),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option("--wait", help="Now waiting on the customer: pending, SLA clock stops."),
    ] = False,
    version: VersionOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Add a message to or from the customer, or an internal note."""
    case = service.comment(
        cli_store(db_),
        case_id,
        body=body,
        internal=internal,
        inbound=from_customer,
        wait_for_customer=wait,
        actor=_actor(actor),
        now=parse_moment(now),
        version=version,
    )
    _print_case(case, fmt)


@app.command("resolve")
def resolve(
    case_id: CaseArg,
    code: Annotated[
        str, typer.Option("--code", help="How it was resolved, e.g. refunded, replaced.")
    ],
    note: Annotated[str | None, typer.Option("--note", help="What was done.")] = None,
    version: VersionOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Resolve a case with a resolution code."""
    case = service.resolve(
        cli_store(db_),
        case_id,
        code=code,
        note=note,
        actor=_actor(actor),
        now=parse_moment(now),
        version=version,
    )
    _print_case(case, fmt)


@app.command("reopen")
def reopen(
    case_id: CaseArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in history).")] = None,
    version: VersionOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Reopen a resolved case; a new resolution target runs from now."""
    case = service.reopen(
        cli_store(db_),
        case_id,
        reason=reason,
        actor=_actor(actor),
        now=parse_moment(now),
        version=version,
    )
    _print_case(case, fmt)


@app.command("close")
def close(
    case_id: CaseArg,
    version: VersionOption = None,
    actor: ActorOption = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Close a resolved case (final)."""
    case = service.close(
        cli_store(db_), case_id, actor=_actor(actor), now=parse_moment(now), version=version
    )
    _print_case(case, fmt)


@app.command("check-sla")
def check_sla(
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Record and escalate SLA breaches (run it every few minutes, e.g. from cron)."""
    settings = load_settings()
    found = service.check_sla(
        cli_store(db_),
        now=parse_moment(now),
        policy=service.policy_from_settings(settings),
        notify_setting=cases_settings(settings)["notify"],
    )
    rows = [
        {
            "case_id": e.case_id,
            "target": e.target,
            "due_at": e.due_at,
            "late_hours": round(e.late_hours, 2),
            "owner": e.owner,
            "escalated_to": e.escalated_to,
            "subject": e.subject,
        }
        for e in found
    ]
    emit(
        rows,
        fmt,
        title="new SLA breaches",
        columns=("case_id", "target", "due_at", "late_hours", "owner", "escalated_to", "subject"),
    )
    if fmt is OutputFormat.table and not rows:
        console.print("no new SLA breaches")


@app.command("metrics")
def metrics(
    view: Annotated[
        View,
        typer.Option(
            "--view",
            help="summary: one row per figure; backlog: by owner and age; sla: per target; "
            "retention: repurchase after a case by group.",
        ),
    ] = View.summary,
    window: Annotated[
        int | None,
        typer.Option("--window", help="Repurchase window in days (default: [cases] setting, 90)."),
    ] = None,
    now: NowOption = None,
    db_: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Backlog, response times (median, p90), SLA attainment, reopen rate, retention effect."""
    window = window or int(cases_settings(load_settings())["repurchase_window_days"])
    result = service.case_metrics(cli_store(db_), as_of=parse_moment(now), window_days=window)
    if view is View.summary:
        emit(
            result.rows(),
            fmt,
            title="case metrics",
            columns=("metric", "value", "lower", "upper", "n"),
        )
    elif view is View.backlog:
        emit(result.backlog, fmt, title="backlog by owner and age")
    elif view is View.sla:
        emit(result.sla, fmt, title="SLA attainment")
    else:
        emit(result.retention, fmt, title=f"repurchase within {window} days after a case")
