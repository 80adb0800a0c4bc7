"""The ``retain`` command: one Typer application, each capability registers its commands.

Each capability's commands live in a module of their own, which imports what
the capability needs (pandas, Ibis, scipy, the web framework). The console
script imports only the module of the command it runs (``retain lifecycle``
does not load the web app), so that a command starts in a fraction of the
time; ``--help`` and an unknown command load them all. :data:`app` (all the
commands) is built on first use.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from retain import __version__
from retain.cli.common import new_app

HELP = (
    "Retain: customer life cycle, value, voice of the customer, cases and outreach "
    "for small and medium businesses."
)


def _records(app: typer.Typer) -> None:
    from retain.cli import records

    app.command("init")(records.init)
    app.command("import")(records.import_)
    app.command("status")(records.status)


def _demo(app: typer.Typer) -> None:
    from retain.cli import demo

    app.command("demo")(demo.demo)


def _lifecycle(app: typer.Typer) -> None:  # capability 2
    from retain.cli import lifecycle

    app.command("lifecycle")(lifecycle.lifecycle)
    app.command("cohorts")(lifecycle.cohorts)
    app.command("rfm")(lifecycle.rfm)


def _web(app: typer.Typer) -> None:  # web app, users and API tokens (capability 8)
    from retain.cli import web

    app.command("serve")(web.serve)
    app.add_typer(web.users_app, name="users")
    app.add_typer(web.tokens_app, name="tokens")


def _cases(app: typer.Typer) -> None:  # capability 5
    from retain.cli import cases

    app.add_typer(cases.app, name="cases")


def _voice(app: typer.Typer) -> None:  # capability 4
    from retain.cli import voice

    app.command("nps")(voice.nps)
    app.add_typer(voice.surveys_app, name="surveys")


def _audience(app: typer.Typer) -> None:  # capability 7
    from retain.cli import audience

    app.add_typer(audience.segments_app, name="segments")
    app.add_typer(audience.dedupe_app, name="dedupe")
    app.add_typer(audience.competitors_app, name="competitors")


def _outreach(app: typer.Typer) -> None:  # capability 6
    from retain.cli import outreach

    app.command("plan")(outreach.plan)
    app.add_typer(outreach.actions_app, name="actions")
    app.add_typer(outreach.campaign_app, name="campaign")


def _report(app: typer.Typer) -> None:  # the owner's report (capability 8)
    from retain.cli import report

    app.command("report")(report.report)


def _clv(app: typer.Typer) -> None:  # capability 3
    from retain.cli import clv

    app.add_typer(clv.app, name="clv")


#: command name -> the function that registers its capability's commands, in
#: the order of ``retain --help``
COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "init": _records,
    "import": _records,
    "status": _records,
    "demo": _demo,
    "lifecycle": _lifecycle,
    "cohorts": _lifecycle,
    "rfm": _lifecycle,
    "serve": _web,
    "users": _web,
    "tokens": _web,
    "cases": _cases,
    "nps": _voice,
    "surveys": _voice,
    "segments": _audience,
    "dedupe": _audience,
    "competitors": _audience,
    "plan": _outreach,
    "actions": _outreach,
    "campaign": _outreach,
    "report": _report,
    "clv": _clv,
}


def version() -> None:
    """Print Retain's version."""
    print(__version__)


def build_app(command: str | None = None) -> typer.Typer:
    """The application with the commands of ``command``'s capability, or with all."""
    app = new_app(HELP)
    if command in COMMANDS:
        wanted = [COMMANDS[command]]
    elif command == "version":
        wanted = []
    else:
        wanted = list(dict.fromkeys(COMMANDS.values()))
    for register in wanted:
        register(app)
    app.command("version")(version)
    # a group even when it holds one command (else Typer runs that command bare)
    app.callback()(_group)
    return app


def _group() -> None:
    """The ``retain`` group: its commands do the work."""


_full: typer.Typer | None = None


def __getattr__(name: str) -> typer.Typer:
    """``app``: every command (built on first use: for tests and the CLI reference)."""
    global _full
    if name == "app":
        if _full is None:
            _full = build_app()
        return _full
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the ``retain`` console script."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    sys.exit(build_app(command)(standalone_mode=True))
