"""``retain nps`` and ``retain surveys ...`` through Typer's runner, on a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from typer.testing import CliRunner

from retain.cli.app import app
from retain.cli.voice import surveys_app
from retain.store import open_store
from retain.voice import submit_response

from .conftest import SECRET, add_customers

runner = CliRunner()


def invoke(*args: str, **env: str):
    return runner.invoke(app, list(args), catch_exceptions=False, env=env or None)


def _customers(db_url, n, **overrides):
    store = open_store(db_url)
    try:
        add_customers(store, n, **overrides)
    finally:
        store.dispose()


@pytest.fixture
def answered_db(db_url):
    """A database with 5 answers to 'NPS 2026' made through links: 3 P, 1 passive, 1 D."""
    store = open_store(db_url)
    add_customers(store, 5)
    out = invoke("surveys", "create", "NPS 2026", "--category", "Service", "--db", db_url)
    assert out.exit_code == 0, out.output
    invited = invoke(
        "surveys", "invite", "NPS 2026", "--db", db_url, "--format", "json",
        RETAIN_SECRET_KEY=SECRET,
    )  # fmt: skip
    assert invited.exit_code == 0, invited.output
    assert json.loads(invited.stdout)[0]["invited"] == 5
    from retain.voice import invitation_table

    table = invitation_table(store, 1, secret=SECRET)
    now = datetime.now(UTC)
    for token, score in zip(table["token"], [10, 9, 10, 8, 2], strict=True):
        submit_response(store, token, score=score, comment="fine", secret=SECRET, now=now)
    store.dispose()
    return db_url


def test_nps_json_fields(answered_db):
    out = invoke("nps", "--db", answered_db, "--format", "json")
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.stdout)
    assert row["group"] == "all"
    assert (row["n"], row["promoters"], row["passives"], row["detractors"]) == (5, 3, 1, 1)
    assert row["score"] == pytest.approx(40.0)
    # Var = 0.6 + 0.2 - 0.16 = 0.64; MOE = 1.96 * sqrt(0.64 / 5) = 70.1
    assert row["margin_of_error"] == pytest.approx(70.12, abs=0.01)
    assert {"low", "high", "score_low", "score_high", "warning"} <= set(row)
    assert "below the minimum of 30" in row["warning"]
    # --population 0: the 5 customers of the store all answered, a census without error
    census = invoke("nps", "--db", answered_db, "--population", "0", "--format", "json")
    (row,) = json.loads(census.stdout)
    assert (row["population"], row["fpc"], row["margin_of_error"]) == (5, 0.0, 0.0)


def test_nps_table_csv_and_chart(answered_db, tmp_path):
    out = invoke("nps", "--db", answered_db, "--by", "category")
    assert out.exit_code == 1
    assert out.stderr.startswith("error: none of the 5 answers has a category")
    out = invoke("nps", "--db", answered_db, "--by", "month", "--format", "csv")
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0].startswith("group,n,promoters,passives,detractors,score,margin_of_error")
    assert len(lines) == 2
    chart = tmp_path / "trend.png"
    out = invoke("nps", "--db", answered_db, "--by", "month", "--chart", str(chart))
    assert out.exit_code == 0, out.output
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "warning:" in out.stderr and "chart written" in out.stdout


def test_nps_baseline_and_bad_period(answered_db):
    year = datetime.now(UTC).year
    out = invoke(
        "nps", "--db", answered_db, "--by", "year", "--baseline", str(year), "--format", "json"
    )
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.stdout)
    assert row["difference"] == 0 and row["p_value"] == 1 and row["significant"] is False
    bad = invoke("nps", "--db", answered_db, "--baseline", "last year")
    assert bad.exit_code == 1 and bad.stderr.startswith("error: cannot read the period")


def test_nps_segments_file(answered_db, tmp_path):
    seg = tmp_path / "segments.csv"
    seg.write_text("external_id,segment\nc1,vip\nc2,vip\nc5,basic\n", encoding="utf-8")
    out = invoke(
        "nps", "--db", answered_db, "--by", "segment", "--segments", str(seg), "--format", "json"
    )
    assert out.exit_code == 0, out.output
    rows = {r["group"]: r for r in json.loads(out.stdout)}
    assert rows["vip"]["n"] == 2 and rows["vip"]["score"] == 100
    assert rows["basic"]["score"] == -100 and rows["(none)"]["n"] == 2


def test_nps_without_answers_is_one_clear_error(db_url):
    out = invoke("nps", "--db", db_url)
    assert out.exit_code == 1
    assert out.stderr.startswith("error: no answers to score")
    assert "Traceback" not in out.output


def test_surveys_list_and_response_rate(answered_db):
    out = invoke("surveys", "list", "--db", answered_db, "--format", "json")
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.stdout)
    assert (row["name"], row["invited"], row["answered"], row["responses"]) == ("NPS 2026", 5, 5, 5)
    assert row["response_rate"] == 1.0


def test_surveys_invite_needs_a_secret(db_url):
    _customers(db_url, 1)
    invoke("surveys", "create", "S", "--db", db_url)
    out = invoke("surveys", "invite", "S", "--db", db_url, RETAIN_SECRET_KEY="")
    assert out.exit_code == 1 and "RETAIN_SECRET_KEY" in out.stderr


def test_surveys_invite_exports_links(db_url, tmp_path):
    _customers(db_url, 4, do_not_contact=lambda k: k == 4)
    invoke("surveys", "create", "S", "--db", db_url)
    path = tmp_path / "inv.csv"
    out = invoke(
        "surveys", "invite", "S", "--db", db_url, "--out", str(path), "--sample", "2",
        "--seed", "3", "--base-url", "https://shop.example", "--format", "json",
        RETAIN_SECRET_KEY=SECRET,
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)[0]["invited"] == 2
    table = pd.read_csv(path)
    assert len(table) == 2 and table["link"].str.startswith("https://shop.example/r/").all()
    again = invoke(
        "surveys", "invite", "S", "--db", db_url, "--format", "json", RETAIN_SECRET_KEY=SECRET
    )
    assert json.loads(again.stdout)[0]["invited"] == 1  # the third; the fourth is do-not-contact


def test_surveys_create_with_open_link(db_url):
    out = invoke(
        "surveys", "create", "Open", "--kind", "csat", "--open-link", "--db", db_url,
        "--format", "json",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.stdout)
    assert row["kind"] == "csat" and row["open_link"].startswith("http://localhost:8000/r/open/")
    dup = invoke("surveys", "create", "Open", "--db", db_url)
    assert dup.exit_code == 1 and "exists already" in dup.stderr


def test_surveys_import_opens_cases_for_recent_bad_reviews(db_url, tmp_path):
    _customers(db_url, 2)
    recent = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    path = tmp_path / "reviews.csv"
    path.write_text(
        "review_id,email,source,rating,comment,date\n"
        f"g1,c1@example.com,google,1,Late delivery again,{recent}\n"
        f"g2,c2@example.com,trustpilot,5,great quality,{recent}\n"
        "g3,c2@example.com,google,1,old,2020-01-01\n",
        encoding="utf-8",
    )
    out = invoke("surveys", "import", str(path), "--db", db_url)
    assert out.exit_code == 0, out.output
    assert "bad reviews of the last 30 days: 1" in out.stdout
    again = invoke("surveys", "import", str(path), "--db", db_url)
    assert "bad reviews of the last 30 days: 1" in again.stdout  # the same case
    reviews = invoke("nps", "--db", db_url, "--kind", "review", "--format", "json")
    (row,) = json.loads(reviews.stdout)
    assert (row["n"], row["promoters"], row["detractors"]) == (3, 1, 2)


def test_themes_low_effort_and_silent_commands(answered_db):
    themes = invoke("surveys", "themes", "--db", answered_db, "--format", "json")
    assert themes.exit_code == 0, themes.output
    assert json.loads(themes.stdout) == []  # every comment was "fine"
    low = invoke("surveys", "low-effort", "--db", answered_db, "--format", "json")
    assert len(json.loads(low.stdout)) == 5
    silent = invoke("surveys", "silent", "--db", answered_db, "--format", "json")
    assert silent.exit_code == 0 and json.loads(silent.stdout) == []


@pytest.mark.parametrize("command", [c.name for c in surveys_app.registered_commands])
def test_every_surveys_command_has_help(command):
    out = invoke("surveys", command, "--help")
    assert out.exit_code == 0 and "Usage:" in out.stdout
    assert next(c for c in surveys_app.registered_commands if c.name == command).callback.__doc__


def test_nps_help():
    out = invoke("nps", "--help")
    assert out.exit_code == 0
    for option in ("--by", "--baseline", "--survey", "--chart", "--format"):
        assert option in out.stdout


def test_nps_by_stage_uses_the_life_cycle(answered_db):
    from retain.analytics import STAGES

    from .conftest import add_orders

    store = open_store(answered_db)
    try:
        recent = datetime.now(UTC) - timedelta(days=3)
        add_orders(store, [(cid, recent, 2500, "shoes") for cid in (1, 2, 3)])
    finally:
        store.dispose()
    out = invoke("nps", "--db", answered_db, "--by", "stage", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = {r["group"]: r for r in json.loads(out.stdout)}
    assert set(rows) <= set(STAGES)
    assert sum(r["n"] for r in rows.values()) == 5
    # customers 4 and 5 never bought (scores 8 and 2): prospects
    assert rows["prospect"]["n"] == 2 and rows["prospect"]["score"] == -50
    assert rows["new"]["n"] == 3 and rows["new"]["score"] == 100


def test_promoters_and_by_survey(answered_db):
    out = invoke("surveys", "promoters", "--db", answered_db, "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert sorted(r["customer_id"] for r in rows) == [1, 2, 3]  # scores 10, 9, 10
    assert {r["email"] for r in rows} == {"c1@example.com", "c2@example.com", "c3@example.com"}
    by = invoke("nps", "--db", answered_db, "--by", "survey", "--format", "json")
    assert [r["group"] for r in json.loads(by.stdout)] == ["NPS 2026"]


def test_nps_by_saved_segment_counts_a_customer_in_each(answered_db):
    """c1, c2 promoters; c5 the detractor. top = c1, c2; mixed = c2, c5 (c2 in both)."""
    for name, expression in (
        ("top", "customer_id in (c1, c2)"),
        ("mixed", "customer_id in (c2, c5)"),
    ):
        made = invoke("segments", "create", name, expression, "--db", answered_db)
        assert made.exit_code == 0, made.output
    out = invoke("nps", "--db", answered_db, "--by", "segment", "--format", "json")
    assert out.exit_code == 0, out.output
    rows = {r["group"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {"top", "mixed"}  # no "(none)": only saved segments are scored
    assert (rows["top"]["n"], rows["top"]["score"]) == (2, 100)
    assert (rows["mixed"]["n"], rows["mixed"]["promoters"], rows["mixed"]["detractors"]) == (
        2,
        1,
        1,
    )
    assert rows["mixed"]["score"] == 0
    one = invoke("nps", "--db", answered_db, "--by", "segment", "--segment", "mixed", "-f", "json")
    assert [r["group"] for r in json.loads(one.stdout)] == ["mixed"]
    bad = invoke("nps", "--db", answered_db, "--by", "month", "--segment", "top")
    assert bad.exit_code == 1 and "use it with --by segment" in bad.stderr
    unknown = invoke("nps", "--db", answered_db, "--by", "segment", "--segment", "nope")
    assert unknown.exit_code == 1 and "no segment named 'nope'" in unknown.stderr


def test_surveys_invite_a_saved_segment(db_url):
    _customers(db_url, 4)
    invoke("surveys", "create", "S", "--db", db_url)
    made = invoke("segments", "create", "odd", "customer_id in (c1, c3)", "--db", db_url)
    assert made.exit_code == 0, made.output
    out = invoke(
        "surveys", "invite", "S", "--segment", "odd", "--db", db_url, "--format", "json",
        RETAIN_SECRET_KEY=SECRET,
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)[0]["invited"] == 2
    rest = invoke(
        "surveys", "invite", "S", "--db", db_url, "--format", "json", RETAIN_SECRET_KEY=SECRET
    )
    assert json.loads(rest.stdout)[0]["invited"] == 2  # c2 and c4, outside the segment


def test_invite_takes_more_customer_ids_than_postgresql_takes_parameters(db_url):
    """A big segment: 70,000 ids (PostgreSQL takes at most 65,535 parameters a query)."""
    from retain.voice import invite

    _customers(db_url, 3)
    invoke("surveys", "create", "S", "--db", db_url)
    store = open_store(db_url)
    try:
        ids = [*range(2, 70_002)]  # customers 2 and 3, and ids nobody has
        new = invite(store, 1, now=datetime.now(UTC), secret=SECRET, customer_ids=ids)
        assert sorted(i.customer_id for i in new) == [2, 3]
    finally:
        store.dispose()
