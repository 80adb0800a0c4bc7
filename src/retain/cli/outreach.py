"""``retain plan``, ``retain actions ...`` and ``retain campaign ...``: outreach from the CLI.

Thin layer over :mod:`retain.outreach`: each command reads the ``[outreach]``
settings, calls one service function and prints its result. Unsubscribe
links are signed with ``RETAIN_SECRET_KEY`` when set, else with the web
app's secret kept in the store, so the web endpoint accepts them.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from retain import analytics, outreach
from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    new_app,
    parse_day,
    parse_moment,
)
from retain.config import Settings, load_settings, section
from retain.errors import InvalidInputError
from retain.outreach.facts import end_of_day
from retain.store import Store

actions_app = new_app("Work the plan: assign an action, mark it done with its outcome, snooze it.")
campaign_app = new_app(
    "Campaigns: audience, template, preview, send by SMTP or export CSV, and the measured lift."
)

PLAN_TABLE = ("id", "customer_id", "rule", "score", "reason")
ACTION_FIELDS = ("id", "external_id", "rule", "status", "assignee", "snoozed_until", "outcome")

NowOption = Annotated[
    str | None,
    typer.Option("--now", help="Act at this time, ISO 8601 (default: the current time)."),
]
ByOption = Annotated[
    str | None,
    typer.Option("--as", help="Who does this, as written on the timeline (default: $USER)."),
]


class Channel(StrEnum):
    email = "email"
    csv = "csv"


def _settings() -> tuple[Settings, dict[str, Any], dict[str, Any]]:
    settings = load_settings()
    cfg = outreach.outreach_settings(section(settings, "outreach", outreach.DEFAULTS))
    return settings, cfg, section(settings, "lifecycle", analytics.DEFAULTS)


def _day(text: str | None) -> datetime:
    """``--as-of DATE``: the end of that day; none: now."""
    return datetime.now(UTC) if text is None else end_of_day(parse_day(text))


def _by(given: str | None) -> str:
    return given or getpass.getuser()


def plan(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Plan as of the end of this day, YYYY-MM-DD (default: now)."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this rep's customers and actions.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N actions.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Compute the plan without saving its actions.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Whom to contact this week and why: one ranked action per customer, with its reason."""
    settings, cfg, lifecycle = _settings()
    at = _day(as_of)
    rows = outreach.plan(
        cli_store(db),
        as_of=at,
        cfg=cfg,
        lifecycle=lifecycle,
        owner=owner,
        limit=limit,
        save=not dry_run,
        tz=settings.tz,
    )
    cols = PLAN_TABLE if fmt is OutputFormat.table else outreach.PLAN_COLUMNS
    emit(rows, fmt, title=f"outreach plan {outreach.cycle_of(at)}", columns=cols)


def _show_action(row: dict[str, Any], fmt: OutputFormat) -> None:
    emit([{k: row.get(k) for k in ACTION_FIELDS}], fmt)


@actions_app.command("assign")
def assign(
    action: Annotated[int, typer.Argument(help="The action id (see `retain plan`).")],
    to: Annotated[str, typer.Option("--to", help="The username who takes it.")],
    now: NowOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Give an action to a rep."""
    _show_action(outreach.assign(cli_store(db), action, to=to, now=parse_moment(now, "--now")), fmt)


@actions_app.command("done")
def done(
    action: Annotated[int, typer.Argument(help="The action id (see `retain plan`).")],
    outcome: Annotated[str, typer.Option("--outcome", help="What came of the contact.")],
    by: ByOption = None,
    now: NowOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Mark an action done; the contact goes on the customer's timeline."""
    row = outreach.done(
        cli_store(db), action, outcome=outcome, by=_by(by), now=parse_moment(now, "--now")
    )
    _show_action(row, fmt)


@actions_app.command("snooze")
def snooze(
    action: Annotated[int, typer.Argument(help="The action id (see `retain plan`).")],
    until: Annotated[str, typer.Option("--until", help="Date or time, ISO 8601.")],
    now: NowOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Put an action aside until a date; the customer is left out of the plan till then."""
    row = outreach.snooze(
        cli_store(db), action, until=parse_moment(until, "--until"), now=parse_moment(now, "--now")
    )
    _show_action(row, fmt)


@campaign_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="A unique name for the campaign.")],
    subject: Annotated[str, typer.Option("--subject", help="Subject line (a Jinja2 template).")],
    body: Annotated[
        str | None, typer.Option("--body", help="Message body (a Jinja2 template, HTML).")
    ] = None,
    body_file: Annotated[
        Path | None, typer.Option("--body-file", help="Read the body template from FILE.")
    ] = None,
    stage: Annotated[
        list[str] | None,
        typer.Option("--stage", help="Audience: a stage, or stage/substage (repeatable)."),
    ] = None,
    rule: Annotated[
        str | None, typer.Option("--rule", help="Audience: customers a plan rule picks.")
    ] = None,
    segment: Annotated[
        str | None, typer.Option("--segment", help="Audience: a saved segment.")
    ] = None,
    customers: Annotated[
        str | None, typer.Option("--customers", help="Audience: external ids, comma separated.")
    ] = None,
    channel: Annotated[
        Channel, typer.Option("--channel", help="email (SMTP) or csv (export for another tool).")
    ] = Channel.email,
    control_share: Annotated[
        float | None,
        typer.Option("--control-share", help="Share held out as control (default: settings)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the control draw (default: random).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Schedule: send at this time (ISO 8601).")
    ] = None,
    window: Annotated[
        int | None, typer.Option("--window", min=1, help="Outcome window in days.")
    ] = None,
    by: ByOption = None,
    now: NowOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Create a campaign: audience, template, channel; draws the held-out control group."""
    if (body is None) == (body_file is None):
        raise InvalidInputError("give the message body with --body TEXT or --body-file FILE")
    text = body if body is not None else Path(str(body_file)).read_text(encoding="utf-8")
    audience: dict[str, Any] = {}
    if stage:
        audience["stage"] = stage if len(stage) > 1 else stage[0]
    if rule:
        audience["rule"] = rule
    if segment:
        audience["segment"] = segment
    if customers:
        audience["customers"] = [c.strip() for c in customers.split(",") if c.strip()]
    _, cfg, lifecycle = _settings()
    store = cli_store(db)
    camp = outreach.create_campaign(
        store,
        name=name,
        subject=subject,
        body=text,
        audience=audience,
        now=parse_moment(now, "--now"),
        cfg=cfg,
        channel=channel.value,
        control_share=control_share,
        seed=seed,
        scheduled_at=parse_moment(at, "--at") if at else None,
        window_days=window,
        lifecycle=lifecycle,
        by=_by(by),
    )
    _list(store, fmt, only=camp["name"])


def _list(store: Store, fmt: OutputFormat, only: str | None = None) -> None:
    rows = [r for r in outreach_list(store) if only is None or r["name"] == only]
    emit(rows, fmt, title="campaigns")


def outreach_list(store: Store) -> list[dict[str, Any]]:
    """Campaign rows with zero counts instead of None."""
    from retain.store import outreach as db

    rows = db.campaigns(store)
    for r in rows:
        for k in ("treated", "control", "sent"):
            r[k] = int(r[k] or 0)
    return rows


@campaign_app.command("list")
def list_(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List the campaigns with their arms and sends."""
    _list(cli_store(db), fmt)


@campaign_app.command("preview")
def preview(
    name: Annotated[str, typer.Argument(help="The campaign.")],
    customer: Annotated[
        list[str] | None,
        typer.Option("--customer", help="Preview for this customer (external id)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many customers.")] = 3,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Show the message as real customers of the treated arm would get it (nothing is sent)."""
    store = cli_store(db)
    _, cfg, _ = _settings()
    secret = outreach.link_secret(store, datetime.now(UTC))
    rows = outreach.preview(store, name, cfg=cfg, secret=secret, customers=customer, limit=limit)
    if fmt is OutputFormat.table:
        for r in rows:
            console.rule(f"{r['customer_id']} <{r['email']}>")
            console.print(f"Subject: {r['subject']}", markup=False, highlight=False)
            console.print(r["text"], markup=False, highlight=False)
        return
    emit(rows, fmt)


@campaign_app.command("send")
def send(
    name: Annotated[
        str | None, typer.Argument(help="The campaign (omit with --due).", show_default=False)
    ] = None,
    due: Annotated[
        bool, typer.Option("--due", help="Send every scheduled campaign whose time has come.")
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Write the cleared recipients to a CSV FILE instead."),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish a campaign whose sending run died.")
    ] = False,
    by: ByOption = None,
    now: NowOption = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Send a campaign to its treated arm (never the control), within consent and caps."""
    store = cli_store(db)
    settings, cfg, _ = _settings()
    at = parse_moment(now, "--now")
    secret = outreach.link_secret(store, at)
    if due:
        done_ = outreach.send_due(store, at, cfg=cfg, tz=settings.tz, secret=secret)
        rows = [{"campaign": k, **v.counts} for k, v in done_.items()]
        emit(rows, fmt, title="campaigns sent", columns=("campaign", *_STATUSES))
        return
    if name is None:
        raise InvalidInputError("name the campaign to send, or use --due")
    if export is not None:
        summary = outreach.export_campaign(
            store, name, export, now=at, cfg=cfg, tz=settings.tz, secret=secret, by=_by(by)
        )
    else:
        summary = outreach.send_campaign(
            store, name, now=at, cfg=cfg, tz=settings.tz, secret=secret, by=_by(by), resume=resume
        )
    emit(summary.rows, fmt, title=f"campaign {name}: {json.dumps(summary.counts)}")


_STATUSES = ("sent", "exported", "skipped", "bounced", "failed")


@campaign_app.command("report")
def report(
    name: Annotated[str, typer.Argument(help="The campaign.")],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Measure up to the end of this day (default: now)."),
    ] = None,
    window: Annotated[
        int | None, typer.Option("--window", min=1, help="Outcome window in days.")
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Treated against control: repurchase, return to an earlier stage, response, with lift."""
    _, _, lifecycle = _settings()
    result = outreach.campaign_report(
        cli_store(db), name, as_of=_day(as_of), window_days=window, lifecycle=lifecycle
    )
    table = result.lifts.copy()
    for col in ("treated_rate", "control_rate", "lift", "lower", "upper"):
        table[col] = table[col].map(lambda v: None if v is None or v != v else round(float(v), 4))
    if fmt is OutputFormat.table:
        for line in result.lines()[:2]:
            console.print(line, markup=False, highlight=False)
        emit(table.drop(columns=["verdict"]), fmt, title=f"campaign {name}")
        for line in result.lines()[2:]:
            console.print(line, markup=False, highlight=False)
        return
    emit(table, fmt)


@campaign_app.command("bounce")
def bounce(
    email: Annotated[str, typer.Argument(help="The address that bounced.")],
    reason: Annotated[str, typer.Option("--reason", help="The bounce message or code.")],
    campaign: Annotated[
        str | None, typer.Option("--campaign", help="The campaign it came back from.")
    ] = None,
    now: NowOption = None,
    db: DbOption = None,
) -> None:
    """Record a bounce that arrived later: logged, and the address suppressed for e-mail."""
    n = outreach.record_bounce(
        cli_store(db), email, reason=reason, now=parse_moment(now, "--now"), campaign=campaign
    )
    console.print(f"bounce recorded for {n} customer(s) with {email}; address suppressed")
