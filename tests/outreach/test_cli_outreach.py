"""``retain plan``, ``retain actions`` and ``retain campaign`` through Typer's runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from retain.cli.app import app
from retain.store import open_store
from retain.store import outreach as db

from .kit import NOW, SECRET, Seed

runner = CliRunner()
WHEN = "2026-03-11T12:00:00+00:00"


@pytest.fixture
def shop(tmp_path, monkeypatch, smtp):
    """A SQLite store with three customers, settings pointing at the test SMTP server."""
    inbox, port = smtp
    toml = tmp_path / "retain.toml"
    toml.write_text(
        f'[outreach]\nsmtp_port = {port}\nsmtp_host = "127.0.0.1"\nquiet_hours = ""\n'
        'from_address = "shop@example.com"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("RETAIN_CONFIG", str(toml))
    monkeypatch.setenv("RETAIN_SECRET_KEY", SECRET)
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    store = open_store(url)
    seed = Seed(store)
    rep = seed.user("rita")
    loyal = seed.customer("LOYAL", owner_id=rep)
    seed.orders(loyal, [135, 105, 75, 45], amount_minor=50_000)
    new = seed.customer("NEW")
    seed.order(new, 10, amount_minor=8_000)
    out = seed.customer("OUT", email_consent=False)
    seed.order(out, 12, amount_minor=8_000)
    store.dispose()
    return url, inbox


def run(*args: str):
    result = runner.invoke(app, list(args))
    return result


def test_plan_json_has_the_public_fields(shop):
    url, _ = shop
    result = run("plan", "--as-of", "2026-03-11", "--db", url, "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["customer_id"], r["rule"]) for r in rows] == [
        ("LOYAL", "loyal_lapsing"),
        ("NEW", "new_follow_up"),
    ]
    for r in rows:
        assert {"customer_id", "rule", "reason", "score"} <= set(r)
        assert isinstance(r["score"], float) and r["reason"]
    assert rows[0]["score"] == 60.0  # 2000/yr x 30% / 10 min


def test_plan_owner_limit_and_table(shop):
    url, _ = shop
    result = run("plan", "--as-of", "2026-03-11", "--db", url, "--owner", "rita", "-f", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("id,customer_id,name,owner,rule,reason,score")
    assert len(lines) == 2 and ",LOYAL," in lines[1]
    result = run("plan", "--as-of", "2026-03-11", "--db", url, "--limit", "1")
    assert result.exit_code == 0 and "loyal_lapsing" in result.stdout
    assert "new_follow_up" not in result.stdout
    bad = run("plan", "--as-of", "11/03/2026", "--db", url)
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output


def test_actions_assign_done_snooze(shop):
    url, _ = shop
    rows = json.loads(run("plan", "--as-of", "2026-03-11", "--db", url, "-f", "json").stdout)
    ids = {r["customer_id"]: r["id"] for r in rows}
    r = run("actions", "assign", str(ids["NEW"]), "--to", "rita", "--db", url, "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["assignee"] == "rita"
    r = run(
        "actions",
        "done",
        str(ids["LOYAL"]),
        "--outcome",
        "will order next week",
        "--as",
        "rita",
        "--now",
        WHEN,
        "--db",
        url,
        "-f",
        "json",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)[0]["status"] == "done"
    r = run("actions", "snooze", str(ids["NEW"]), "--until", "2026-04-01", "--now", WHEN)
    assert r.exit_code == 1  # no --db: the default database has no such action
    r = run(
        "actions", "snooze", str(ids["NEW"]), "--until", "2026-04-01", "--now", WHEN, "--db", url
    )
    assert r.exit_code == 0, r.output
    assert "snoozed" in r.stdout
    r = run("actions", "done", "999", "--outcome", "x", "--db", url)
    assert r.exit_code == 1 and "no action 999" in r.output


def test_campaign_create_preview_send_report(shop, tmp_path):
    url, inbox = shop
    body = tmp_path / "body.html"
    body.write_text("<p>Hello {{ first_name }}</p>", encoding="utf-8")
    r = run(
        "campaign",
        "create",
        "hello",
        "--subject",
        "Hi {{ name }}",
        "--body-file",
        str(body),
        "--customers",
        "LOYAL,NEW,OUT",
        "--control-share",
        "0",
        "--now",
        WHEN,
        "--db",
        url,
        "-f",
        "json",
    )
    assert r.exit_code == 0, r.output
    made = json.loads(r.stdout)[0]
    assert (made["name"], made["treated"], made["control"]) == ("hello", 2, 0)  # OUT withdrew

    r = run("campaign", "preview", "hello", "--customer", "NEW", "--db", url)
    assert r.exit_code == 0, r.output
    assert "Subject: Hi Name NEW" in r.stdout and "<p>Hello Name</p>" in r.stdout

    r = run("campaign", "send", "hello", "--now", WHEN, "--db", url, "-f", "json")
    assert r.exit_code == 0, r.output
    assert sorted(x["customer_id"] for x in json.loads(r.stdout)) == ["LOYAL", "NEW"]
    assert sorted(inbox.recipients) == ["loyal@example.com", "new@example.com"]
    assert inbox.messages[0]["From"] == "shop@example.com"

    r = run("campaign", "report", "hello", "--as-of", "2026-04-20", "--db", url)
    assert r.exit_code == 0, r.output
    assert "campaign hello: outcomes from 2026-03-11 to 2026-04-10" in r.stdout
    assert "repurchase: no lift can be measured (a group is empty)" in r.stdout
    r = run("campaign", "list", "--db", url, "-f", "json")
    assert json.loads(r.stdout)[0]["sent"] == 2

    r = run("campaign", "bounce", "new@example.com", "--reason", "550 gone", "--db", url)
    assert r.exit_code == 0 and "1 customer(s)" in r.stdout
    store = open_store(url)
    try:
        assert db.suppressions(store)["email"].tolist() == ["new@example.com"]
    finally:
        store.dispose()


def test_campaign_export_and_due(shop, tmp_path):
    url, inbox = shop
    common = ("--subject", "Hi", "--body", "Hi", "--control-share", "0", "--now", WHEN, "--db", url)
    r = run("campaign", "create", "file", "--channel", "csv", "--stage", "new", *common)
    assert r.exit_code == 0, r.output
    out = tmp_path / "out.csv"
    r = run("campaign", "send", "file", "--export", str(out), "--now", WHEN, "--db", url)
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").splitlines()[1].startswith("NEW,Name NEW,new@")
    at = ("--at", "2026-03-12T10:00:00+00:00", "--customers", "LOYAL")
    r = run("campaign", "create", "soon", *at, *common)
    assert r.exit_code == 0, r.output
    r = run("campaign", "send", "--due", "--now", "2026-03-12T11:00:00+00:00", "--db", url)
    assert r.exit_code == 0, r.output
    assert inbox.recipients == ["loyal@example.com"]
    r = run("campaign", "send", "--db", url)
    assert r.exit_code == 1 and "--due" in r.output


def test_campaign_errors_are_one_line(shop):
    url, _ = shop
    r = run("campaign", "create", "x", "--subject", "Hi", "--db", url, "--stage", "new")
    assert r.exit_code == 1 and "--body" in r.output and "Traceback" not in r.output
    r = run("campaign", "report", "nope", "--db", url)
    assert r.exit_code == 1 and "no campaign 'nope'" in r.output
    assert NOW.isoformat() == WHEN
