"""``retain cases`` through Typer's runner: exit codes and output in every format."""

from __future__ import annotations

import json

import pytest
from casekit import T0, Seed
from typer.testing import CliRunner

from retain.cli.cases import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def db(sqlite_store, tmp_path):
    seed = Seed(sqlite_store)
    seed.user("andy")
    seed.user("bea")
    seed.customer("C-1", orders=[(5000, T0.replace(month=1))])
    return str(tmp_path / "retain.db")


def at(hours: int) -> str:
    return (T0.replace(hour=9 + hours)).isoformat()


def test_open_comment_list_show(db):
    out = invoke(
        "open",
        "--customer",
        "C-1",
        "--subject",
        "Broken lid",
        "--as",
        "web",
        "--now",
        at(0),
        "--db",
        db,
        "--format",
        "json",
    )
    assert out.exit_code == 0, out.output
    case = json.loads(out.stdout)
    assert (case["id"], case["owner"], case["priority"], case["status"]) == (
        1,
        "andy",
        "normal",
        "open",
    )
    # default policy: business hours Mon-Fri 09:00-17:00 UTC; normal = 8 h / 40 h
    assert case["first_response_due_at"] == "2025-03-03T17:00:00+00:00"
    assert case["resolution_due_at"] == "2025-03-07T17:00:00+00:00"

    out = invoke(
        "comment",
        "1",
        "Sorry, a new one is on its way",
        "--as",
        "andy",
        "--now",
        at(1),
        "--db",
        db,
        "--format",
        "json",
    )
    assert json.loads(out.stdout)["first_responded_at"] == "2025-03-03T10:00:00+00:00"
    invoke(
        "comment", "1", "courier lost it", "--internal", "--as", "andy", "--now", at(2), "--db", db
    )

    out = invoke("list", "--db", db, "--format", "csv", "--now", at(3))
    assert out.stdout.splitlines() == [
        "id,customer,subject,priority,status,owner,opened_at,first_response_due_at,"
        "resolution_due_at,breached,version",
        "1,C-1,Broken lid,normal,open,andy,2025-03-03T09:00:00+00:00,"
        "2025-03-03T17:00:00+00:00,2025-03-07T17:00:00+00:00,,3",
    ]
    out = invoke("show", "1", "--no-internal", "--db", db, "--format", "json")
    kinds = [e["kind"] for e in json.loads(out.stdout)["events"]]
    assert kinds == ["created", "priority", "assigned", "message", "first_response"]
    out = invoke("show", "1", "--db", db)
    assert out.exit_code == 0 and "courier" in out.stdout and "internal note" in out.stdout


def test_stale_version_and_illegal_move_exit_non_zero(db):
    invoke("open", "--customer", "C-1", "--subject", "x", "--now", at(0), "--db", db)
    invoke("comment", "1", "hello", "--now", at(1), "--db", db)  # version 2
    out = runner.invoke(app, ["assign", "1", "bea", "--version", "1", "--db", db])
    assert out.exit_code == 1
    assert out.output.strip() == (
        "error: case 1 was changed by someone else since you read it; reload and try again "
        "(you had version 1, it is now at version 2)"
    )
    out = invoke(
        "assign",
        "1",
        "bea",
        "--version",
        "2",
        "--reason",
        "holiday",
        "--db",
        db,
        "--format",
        "json",
        "--now",
        at(2),
    )
    assert json.loads(out.stdout)["owner"] == "bea"
    out = runner.invoke(app, ["close", "1", "--db", db])
    assert out.exit_code == 1
    assert "cannot go from open to closed" in out.output
    out = runner.invoke(app, ["open", "--customer", "NOPE", "--subject", "x", "--db", db])
    assert out.exit_code == 1 and "error: no customer 'NOPE'" in out.output


def test_resolve_reopen_check_sla_and_metrics(db):
    invoke("open", "--customer", "C-1", "--subject", "x", "--now", at(0), "--db", db)
    out = invoke("check-sla", "--now", "2025-03-04T09:00:00+00:00", "--db", db, "--format", "json")
    rows = json.loads(out.stdout)
    assert [(r["case_id"], r["target"], r["escalated_to"]) for r in rows] == [
        (1, "first_response", None)
    ]
    out = invoke("check-sla", "--now", "2025-03-04T10:00:00+00:00", "--db", db)
    assert "no new SLA breaches" in out.stdout
    out = invoke(
        "list", "--breached", "--now", "2025-03-04T10:00:00+00:00", "--db", db, "--format", "json"
    )
    assert [r["breached"] for r in json.loads(out.stdout)] == ["first_response"]
    out = invoke(
        "resolve",
        "1",
        "--code",
        "replaced",
        "--note",
        "sent a new lid",
        "--now",
        "2025-03-04T11:00:00+00:00",
        "--db",
        db,
        "--format",
        "json",
    )
    assert json.loads(out.stdout)["status"] == "resolved"
    out = invoke(
        "reopen",
        "1",
        "--reason",
        "wrong colour",
        "--now",
        "2025-03-04T12:00:00+00:00",
        "--db",
        db,
        "--format",
        "json",
    )
    assert json.loads(out.stdout)["reopen_count"] == 1
    out = invoke("metrics", "--now", "2025-03-05T09:00:00+00:00", "--db", db, "--format", "json")
    figures = {r["metric"]: r for r in json.loads(out.stdout)}
    assert figures["sla_first_response_attainment"]["value"] == 0.0
    assert figures["first_response_median_hours"]["value"] == 26.0  # answered by resolving
    assert figures["reopen_rate"]["value"] == 1.0
    assert figures["backlog"]["value"] == 1
    assert "repurchase_90d_resolved" in figures
    out = invoke(
        "metrics",
        "--view",
        "backlog",
        "--now",
        "2025-03-05T09:00:00+00:00",
        "--db",
        db,
        "--format",
        "csv",
    )
    assert out.stdout.splitlines()[1] == "andy,1,0,1,0,1,0,0,2.0"  # 2 days old


def test_every_command_has_help_text():
    names = set()
    for command in app.registered_commands:
        assert (command.callback.__doc__ or "").strip(), command.callback.__name__
        names.add(command.name or command.callback.__name__)
    assert {"list", "show", "open", "assign", "comment", "resolve", "reopen", "metrics"} <= names


def test_list_filters_and_metric_views(db, sqlite_store):
    Seed(sqlite_store).customer("C-2", orders=[(100, T0.replace(month=1))])
    invoke("open", "--customer", "C-1", "--subject", "one", "--now", at(0), "--db", db)
    invoke("open", "--customer", "C-2", "--subject", "two", "--now", at(1), "--db", db)
    invoke("resolve", "1", "--code", "fixed", "--now", at(2), "--db", db)

    def subjects(*args):
        out = invoke("list", *args, "--db", db, "--format", "json", "--now", at(3))
        assert out.exit_code == 0, out.output
        return [r["subject"] for r in json.loads(out.stdout)]

    assert subjects() == ["two", "one"]
    assert subjects("--status", "open") == ["two"]
    assert subjects("--status", "open", "--status", "resolved") == ["two", "one"]
    assert subjects("--owner", "bea") == ["two"]  # round-robin: andy had one open case
    assert subjects("--customer", "C-1") == ["one"]
    out = invoke("metrics", "--view", "sla", "--now", at(3), "--db", db, "--format", "json")
    rows = {r["target"]: r for r in json.loads(out.stdout)}
    assert rows["resolution"]["met"] == 1 and rows["first_response"]["met"] == 1
    out = invoke(
        "metrics",
        "--view",
        "retention",
        "--window",
        "30",
        "--now",
        at(3),
        "--db",
        db,
        "--format",
        "json",
    )
    assert [r["group"] for r in json.loads(out.stdout)] == [
        "resolved",
        "unresolved",
        "no_complaint",
    ]
    out = runner.invoke(app, ["list", "--customer", "NOPE", "--db", db])
    assert out.exit_code == 1 and "no customer 'NOPE'" in out.output
