"""The ``retain`` command: one Typer application, each capability registers its commands."""

from __future__ import annotations

import sys

from retain import __version__
from retain.cli import demo, records
from retain.cli.common import new_app

app = new_app(
    "Retain: customer life cycle, value, voice of the customer, cases and outreach "
    "for small and medium businesses."
)

# --- records and import (capability 1)
app.command("init")(records.init)
app.command("import")(records.import_)
app.command("status")(records.status)
app.command("demo")(demo.demo)

# --- customer life cycle (capability 2)
from retain.cli import lifecycle  # noqa: E402

app.command("lifecycle")(lifecycle.lifecycle)
app.command("cohorts")(lifecycle.cohorts)
app.command("rfm")(lifecycle.rfm)

# --- web app, users and API tokens (capability 8)
from retain.cli import web as web_cli  # noqa: E402

app.command("serve")(web_cli.serve)
app.add_typer(web_cli.users_app, name="users")
app.add_typer(web_cli.tokens_app, name="tokens")

# --- service cases (capability 5)
from retain.cli import cases  # noqa: E402

app.add_typer(cases.app, name="cases")

# --- voice of the customer (capability 4)
from retain.cli import voice  # noqa: E402

app.command("nps")(voice.nps)
app.add_typer(voice.surveys_app, name="surveys")

# --- audiences and a clean customer list (capability 7)
from retain.cli import audience as audience_cli  # noqa: E402

app.add_typer(audience_cli.segments_app, name="segments")
app.add_typer(audience_cli.dedupe_app, name="dedupe")
app.add_typer(audience_cli.competitors_app, name="competitors")

# --- outreach (capability 6)
from retain.cli import outreach as outreach_cli  # noqa: E402

app.command("plan")(outreach_cli.plan)
app.add_typer(outreach_cli.actions_app, name="actions")
app.add_typer(outreach_cli.campaign_app, name="campaign")

# --- the owner's report (capability 8)
from retain.cli import report  # noqa: E402

app.command("report")(report.report)

# --- customer value and churn (capability 3)
from retain.cli import clv  # noqa: E402

app.add_typer(clv.app, name="clv")


@app.command("version")
def version() -> None:
    """Print Retain's version."""
    print(__version__)


def main() -> None:
    """Entry point of the ``retain`` console script."""
    sys.exit(app(standalone_mode=True))
