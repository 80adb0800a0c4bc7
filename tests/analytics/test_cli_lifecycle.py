"""``retain lifecycle`` through Typer's runner on a real SQLite store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from retain.cli.app import app
from retain.store import open_store
from retain.store.schema import Customer, Order

runner = CliRunner()
T0 = datetime(2024, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def db(tmp_path) -> str:
    """The shop of :func:`seed` in a SQLite file."""
    return seed(f"sqlite:///{tmp_path / 'retain.db'}")


def seed(url: str) -> str:
    """c-new: one purchase on day 100; c-loyal: days 0, 50, 100; c-gone: day 0 only,
    do-not-contact; c-prospect: no order. Every gap is 50 days."""
    store = open_store(url)
    with store.session() as s:
        people = {"c-new": 1, "c-loyal": 2, "c-gone": 3, "c-prospect": 4}
        for ext, cid in people.items():
            s.add(
                Customer(
                    id=cid,
                    external_id=ext,
                    do_not_contact=ext == "c-gone",
                    first_seen_at=T0,
                    country="DE" if cid % 2 else "FR",
                    created_at=T0,
                    updated_at=T0,
                )
            )
        days = [(1, 100), (2, 0), (2, 50), (2, 100), (3, 0)]
        for i, (cid, d) in enumerate(days):
            s.add(
                Order(
                    external_id=f"o{i}",
                    customer_id=cid,
                    ordered_at=T0 + timedelta(days=d),
                    amount_minor=1000,
                    currency="EUR",
                    product_category="tea",
                    created_at=T0,
                    updated_at=T0,
                )
            )
    store.dispose()
    return url


AS_OF = (T0 + timedelta(days=120)).date().isoformat()


def test_customers_json(db: str) -> None:
    result = runner.invoke(
        app, ["lifecycle", "--customers", "--as-of", AS_OF, "--db", db, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["customer_id"]: r for r in json.loads(result.stdout)}
    assert {k: (v["stage"], v["substage"]) for k, v in rows.items()} == {
        "c-new": ("new", ""),
        "c-loyal": ("loyal", ""),
        "c-gone": ("lapsed", "long_term"),  # 120 days: past 2 x 50, within 4 x 50
        "c-prospect": ("prospect", ""),
    }
    assert rows["c-new"]["expected_gap_days"] == 50
    assert rows["c-new"]["days_since_last_order"] == 20
    assert rows["c-prospect"]["expected_gap_days"] is None
    for row in rows.values():
        assert {"customer_id", "stage", "substage", "expected_gap_days"} <= set(row)
        assert "days_since_last_order" in row


def test_counts_table_and_csv_by_country(db: str) -> None:
    result = runner.invoke(app, ["lifecycle", "--as-of", AS_OF, "--db", db, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "stage,substage,customers,share_pct",
        "prospect,,1,25.0",
        "new,,1,25.0",
        "loyal,,1,25.0",
        "lapsed,long_term,1,25.0",
    ]
    by = runner.invoke(
        app, ["lifecycle", "--as-of", AS_OF, "--db", db, "-f", "csv", "--by", "country"]
    )
    assert by.exit_code == 0, by.output
    assert "DE,new,,1,50.0" in by.stdout.splitlines()


def test_explain(db: str) -> None:
    late = (T0 + timedelta(days=501)).date().isoformat()
    result = runner.invoke(app, ["lifecycle", "--as-of", late, "--db", db, "--explain", "c-gone"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "inactive (do_not_contact)" in text
    assert "days since last order: 501" in text
    assert "expected gap: 50 days" in text
    assert "501 days > inactive_multiple x gap = 200" in text


def test_explain_unknown_customer(db: str) -> None:
    result = runner.invoke(app, ["lifecycle", "--db", db, "--explain", "nobody"])
    assert result.exit_code == 1
    assert "no customer 'nobody'" in result.output


def test_flows(db: str) -> None:
    start = (T0 + timedelta(days=60)).date().isoformat()
    result = runner.invoke(app, ["lifecycle", "--db", db, "--flows", start, AS_OF, "-f", "json"])
    assert result.exit_code == 0, result.output
    got = {(r["from_stage"], r["to_stage"]): r["customers"] for r in json.loads(result.stdout)}
    # day 60: c-loyal active (2 purchases), c-gone lapsed (60 > 50), c-new prospect
    assert got == {
        ("prospect", "prospect"): 1,
        ("prospect", "new"): 1,
        ("active", "loyal"): 1,
        ("lapsed", "lapsed"): 1,
    }


def test_settings_from_retain_toml(db: str, tmp_path, monkeypatch) -> None:
    toml = tmp_path / "retain.toml"
    toml.write_text("[lifecycle]\nloyal_purchases = 4\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_CONFIG", str(toml))
    result = runner.invoke(
        app, ["lifecycle", "--customers", "--as-of", AS_OF, "--db", db, "-f", "json"]
    )
    rows = {r["customer_id"]: r["stage"] for r in json.loads(result.stdout)}
    assert rows["c-loyal"] == "active"
    toml.write_text("[lifecycle]\nloyal = 4\n", encoding="utf-8")
    bad = runner.invoke(app, ["lifecycle", "--db", db])
    assert bad.exit_code == 1
    assert "unknown setting(s) loyal" in bad.output


def test_bad_date(db: str) -> None:
    result = runner.invoke(app, ["lifecycle", "--db", db, "--as-of", "31/12/2024"])
    assert result.exit_code == 1
    assert "--as-of must be a date YYYY-MM-DD" in result.output


def test_cohorts_and_rfm(db: str) -> None:
    result = runner.invoke(app, ["cohorts", "--as-of", AS_OF, "--db", db, "-f", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    jan = [r for r in rows if r["cohort"] == "2024-01"]
    # cohort of January: c-loyal and c-gone; c-loyal buys again in Feb and in April
    assert [r["customers"] for r in jan] == [2, 1, 0, 1]
    table = runner.invoke(app, ["cohorts", "--as-of", AS_OF, "--db", db, "--months", "2"])
    assert table.exit_code == 0, table.output
    assert "2024-01" in table.stdout
    intervals = runner.invoke(
        app, ["cohorts", "--as-of", AS_OF, "--db", db, "--intervals", "month", "-f", "csv"]
    )
    assert intervals.stdout.splitlines()[1].startswith("2024-01,2,2,0,0,0")
    second = runner.invoke(app, ["cohorts", "--as-of", AS_OF, "--db", db, "--second-purchase"])
    assert "repeat purchase rate 33.3%" in second.stdout
    rfm = runner.invoke(app, ["rfm", "--as-of", AS_OF, "--db", db, "--customers", "-f", "json"])
    assert rfm.exit_code == 0, rfm.output
    scores = {r["customer_id"]: r for r in json.loads(rfm.stdout)}
    assert set(scores) == {"c-new", "c-loyal", "c-gone"}
    assert scores["c-loyal"]["f_score"] == 4  # rank 2 of 3: 1 + floor(10 / 3)
    assert scores["c-gone"]["segment"] == "Lost"
    counts = runner.invoke(app, ["rfm", "--as-of", AS_OF, "--db", db, "-f", "csv"])
    assert counts.stdout.splitlines()[0].startswith("segment,customers,share_pct")


def test_ring(db: str) -> None:
    result = runner.invoke(app, ["lifecycle", "--ring", "--as-of", AS_OF, "--db", db, "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ring,customers,share_pct",
        "visitor,1,25.0",
        "audience,0,0.0",
        "customer,2,50.0",
        "community,1,25.0",
    ]


@pytest.mark.parametrize("command", ["lifecycle", "cohorts", "rfm"])
def test_help_text(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "--format" in result.stdout


def test_charts(db: str, tmp_path) -> None:
    history = tmp_path / "history.png"
    result = runner.invoke(
        app, ["lifecycle", "--as-of", AS_OF, "--db", db, "--chart", str(history), "-f", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert history.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    flows = tmp_path / "flows.svg"
    start = (T0 + timedelta(days=60)).date().isoformat()
    result = runner.invoke(
        app, ["lifecycle", "--db", db, "--flows", start, AS_OF, "--chart", str(flows)]
    )
    assert result.exit_code == 0, result.output
    assert "<svg" in flows.read_text(encoding="utf-8")
    heat = tmp_path / "cohorts.png"
    result = runner.invoke(app, ["cohorts", "--as-of", AS_OF, "--db", db, "--chart", str(heat)])
    assert result.exit_code == 0, result.output
    assert heat.stat().st_size > 1000
    bad = runner.invoke(app, ["cohorts", "--db", db, "--chart", str(tmp_path / "x.gif")])
    assert bad.exit_code == 1
    assert "must end in .png or .svg" in bad.output


@pytest.fixture
def segmented(db: str) -> str:
    """Two saved segments: de (c-new, c-gone) and buyers (c-new, c-loyal, c-gone)."""
    return with_segments(db)


def with_segments(db: str) -> str:
    from retain import audience

    store = open_store(db)
    audience.create_segment(store, "de", 'country = "DE"', T0)
    audience.create_segment(store, "buyers", "purchases >= 1", T0)
    store.dispose()
    return db


def _json(*args: str) -> list[dict]:
    result = runner.invoke(app, [*args, "-f", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _csv(*args: str) -> list[str]:
    result = runner.invoke(app, [*args, "-f", "csv"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_counts_by_saved_segment_count_a_customer_in_each(segmented: str) -> None:
    assert _csv("lifecycle", "--as-of", AS_OF, "--db", segmented, "--by", "segment") == [
        "segment,stage,substage,customers,share_pct",
        "buyers,new,,1,33.3",
        "buyers,loyal,,1,33.3",
        "buyers,lapsed,long_term,1,33.3",
        "de,new,,1,50.0",  # c-new is in both segments
        "de,lapsed,long_term,1,50.0",
    ]
    table = runner.invoke(
        app, ["lifecycle", "--as-of", AS_OF, "--db", segmented, "--by", "segment"]
    )
    assert "several segments counts in each" in " ".join(table.stdout.split())


def test_segment_restricts_lifecycle_but_keeps_the_population_gaps(segmented: str) -> None:
    assert _csv("lifecycle", "--as-of", AS_OF, "--db", segmented, "--segment", "de") == [
        "stage,substage,customers,share_pct",
        "new,,1,50.0",
        "lapsed,long_term,1,50.0",
    ]
    listed = _json(
        "lifecycle", "--customers", "--as-of", AS_OF, "--db", segmented, "--segment", "de"
    )
    rows = {r["customer_id"]: r for r in listed}
    assert set(rows) == {"c-new", "c-gone"}
    # c-gone's gap of 50 days comes from c-loyal, who is not in the segment
    assert rows["c-gone"]["expected_gap_days"] == 50
    assert rows["c-gone"]["substage"] == "long_term"
    start = (T0 + timedelta(days=60)).date().isoformat()
    flows = _json("lifecycle", "--db", segmented, "--segment", "de", "--flows", start, AS_OF)
    got = {(r["from_stage"], r["to_stage"]): r["customers"] for r in flows}
    assert got == {("prospect", "new"): 1, ("lapsed", "lapsed"): 1}
    ring = _csv("lifecycle", "--ring", "--as-of", AS_OF, "--db", segmented, "--segment", "de")
    assert ring[1:3] == ["visitor,0,0.0", "audience,0,0.0"]
    assert sum(int(line.split(",")[1]) for line in ring[1:]) == 2


def test_segment_restricts_cohorts_and_rfm(segmented: str) -> None:
    result = runner.invoke(
        app, ["cohorts", "--as-of", AS_OF, "--db", segmented, "--segment", "de", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    # c-gone alone in January (never again), c-new alone in April; c-loyal left out
    assert [r["customers"] for r in rows if r["cohort"] == "2024-01"] == [1, 0, 0, 0]
    assert [r["customers"] for r in rows if r["cohort"] == "2024-04"] == [1]
    full = _json("rfm", "--as-of", AS_OF, "--db", segmented, "--customers")
    part = _json("rfm", "--as-of", AS_OF, "--db", segmented, "--customers", "--segment", "de")
    everyone = {r["customer_id"]: r for r in full}
    members = {r["customer_id"]: r for r in part}
    assert set(members) == {"c-new", "c-gone"}
    # scores are quintiles of every customer, not re-ranked within the segment
    assert members == {k: everyone[k] for k in members}
    counts = _csv("rfm", "--as-of", AS_OF, "--db", segmented, "--segment", "de")
    assert sum(int(line.split(",")[1]) for line in counts[1:]) == 2


def test_unknown_segment_says_which_exist(segmented: str) -> None:
    result = runner.invoke(app, ["lifecycle", "--db", segmented, "--segment", "nope"])
    assert result.exit_code == 1
    assert "no segment named 'nope'" in result.output
    assert "buyers" in result.output


def test_by_segment_without_saved_segments_says_how_to_make_one(db: str) -> None:
    result = runner.invoke(app, ["lifecycle", "--db", db, "--by", "segment"])
    assert result.exit_code == 1
    assert "no saved segments: create one with retain segments create" in result.output


@pytest.mark.postgres
def test_segment_on_the_postgres_engine(pg_url: str) -> None:
    """The member filter runs on the PostgreSQL server too (an in-memory table of ids)."""
    url = with_segments(seed(pg_url))
    args = ("--as-of", AS_OF, "--db", url, "--engine", "postgres", "--segment", "de")
    assert _csv("lifecycle", *args) == [
        "stage,substage,customers,share_pct",
        "new,,1,50.0",
        "lapsed,long_term,1,50.0",
    ]
    cohorts = _json("cohorts", *args)
    assert [r["customers"] for r in cohorts if r["cohort"] == "2024-01"] == [1, 0, 0, 0]
