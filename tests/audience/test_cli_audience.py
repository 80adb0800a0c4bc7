"""``retain segments``, ``retain dedupe``, ``retain competitors`` through Typer's runner."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from typer.testing import CliRunner

from retain.cli.app import app
from retain.config import Settings
from retain.demo import generate_business, write_business
from retain.ingest import import_file
from retain.store import open_store

runner = CliRunner()
AS_OF = "2026-01-01"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A demo shop of 800 customer records with 40 planted duplicates, imported once."""
    folder = tmp_path_factory.mktemp("demo")
    business = generate_business(800, end=dt.date(2026, 1, 1), seed=4, duplicate_share=0.05)
    files = write_business(business, folder / "files")
    store = open_store(f"sqlite:///{folder / 'shop.db'}")
    for kind in ("customers", "orders", "interactions", "feedback"):
        import_file(store, kind, files[kind], settings=Settings())
    store.dispose()
    return folder / "shop.db", business.duplicate_pairs


@pytest.fixture
def db(demo_db, tmp_path) -> str:
    """A fresh copy of the demo database for one test."""
    path = tmp_path / "shop.db"
    shutil.copy(demo_db[0], path)
    return str(path)


def test_dedupe_find_json(db, demo_db):
    out = invoke("dedupe", "find", "--db", db, "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert set(rows[0]) == {"customer_id_a", "customer_id_b", "score", "evidence"}
    assert all(0.5 <= r["score"] <= 1 for r in rows)
    found = {tuple(sorted((r["customer_id_a"], r["customer_id_b"]))) for r in rows}
    truth = {tuple(sorted(p)) for p in demo_db[1].itertuples(index=False)}
    assert len(found & truth) / len(truth) > 0.95
    assert len(found & truth) / len(found) > 0.95
    limited = invoke("dedupe", "find", "--db", db, "--format", "csv", "--limit", "2")
    assert limited.stdout.splitlines()[0] == "customer_id_a,customer_id_b,score,evidence"
    assert len(limited.stdout.splitlines()) == 3


def test_dedupe_merge_and_undo(db):
    rows = json.loads(invoke("dedupe", "find", "--db", db, "--format", "json").stdout)
    a, b = rows[0]["customer_id_a"], rows[0]["customer_id_b"]
    merged = invoke("dedupe", "merge", a, b, "--db", db, "--format", "json")
    assert merged.exit_code == 0, merged.output
    (row,) = json.loads(merged.stdout)
    assert (row["survivor"], row["merged"]) == (a, b)
    again = json.loads(invoke("dedupe", "find", "--db", db, "--format", "json").stdout)
    assert (a, b) not in {(r["customer_id_a"], r["customer_id_b"]) for r in again}
    listed = json.loads(invoke("dedupe", "undo", "--list", "--db", db, "-f", "json").stdout)
    assert [(m["survivor"], m["merged"], m["undone_at"]) for m in listed] == [(a, b, None)]
    undone = invoke("dedupe", "undo", str(row["merge"]), "--db", db)
    assert undone.exit_code == 0, undone.output
    twice = invoke("dedupe", "undo", str(row["merge"]), "--db", db)
    assert twice.exit_code == 1 and "undone already" in twice.output
    missing = invoke("dedupe", "merge", a, "NOPE", "--db", db)
    assert missing.exit_code == 1 and "no customer with external id 'NOPE'" in missing.output


def test_segments_create_list_show_profile(db):
    out = invoke(
        "segments",
        "create",
        "loyal-de",
        'stage in (loyal, active) and country = "DE"',
        "--description",
        "core",
        "--as-of",
        AS_OF,
        "--db",
        db,
        "--format",
        "json",
    )
    assert out.exit_code == 0, out.output
    (size,) = json.loads(out.stdout)
    assert size["segment"] == "loyal-de" and size["total"] > size["customers"] > 50
    assert 0 < size["revenue_share"] < 1 and size["warnings"] == ""
    small = invoke(
        "segments",
        "create",
        "few",
        "customer_id in (C000001, C000002)",
        "--as-of",
        AS_OF,
        "--db",
        db,
    )
    assert small.exit_code == 0 and "warning: too small" in small.output
    listed = json.loads(invoke("segments", "list", "--db", db, "-f", "json").stdout)
    assert [s["name"] for s in listed] == ["few", "loyal-de"]
    shown = json.loads(
        invoke("segments", "show", "loyal-de", "--as-of", AS_OF, "--db", db, "-f", "json").stdout
    )
    assert shown == [size]
    members = json.loads(
        invoke(
            "segments", "show", "loyal-de", "--members", "--as-of", AS_OF, "--db", db, "-f", "json"
        ).stdout
    )
    assert len(members) == size["customers"]
    assert {m["stage"] for m in members} <= {"loyal", "active"}
    profile = invoke("segments", "profile", "loyal-de", "--as-of", AS_OF, "--db", db, "-f", "json")
    rows = json.loads(profile.stdout)
    assert rows and all(r["significant"] for r in rows)
    assert any(r["attribute"] == "stage" and r["value"] == "loyal" for r in rows)
    best = json.loads(
        invoke("segments", "profile", "--all", "--as-of", AS_OF, "--db", db, "-f", "json").stdout
    )
    assert any(not r["significant"] for r in best)
    compare = json.loads(
        invoke(
            "segments", "profile", "--compare", "--as-of", AS_OF, "--db", db, "-f", "json"
        ).stdout
    )
    assert [r["segment"] for r in compare] == ["everyone", "few", "loyal-de"]
    assert compare[2]["retained"] == 1.0 and compare[0]["customers"] == size["total"]


def test_segments_errors(db):
    bad = invoke("segments", "create", "x", "stage in (loyal", "--db", db)
    assert bad.exit_code == 1
    assert "column 16: expected ',' or ')'" in bad.output and "Traceback" not in bad.output
    unknown = invoke("segments", "show", "nope", "--db", db)
    assert unknown.exit_code == 1 and "no segment named 'nope'" in unknown.output


def test_competitors_flag_list_confirm(db):
    store = open_store(f"sqlite:///{db}")
    from retain.store import audience as dbq

    frame = dbq.customer_frame(store)
    domain = frame["email"].iloc[0].split("@")[1]  # a domain some customers use
    expected = int((frame["email"].str.split("@").str[1] == domain).sum())
    store.dispose()
    flagged = invoke("competitors", "flag", "--domain", domain, "--db", db, "-f", "json")
    assert flagged.exit_code == 0, flagged.output
    rows = json.loads(flagged.stdout)
    assert len(rows) == expected and {r["status"] for r in rows} == {"suspected"}
    first = rows[0]["customer_id"]
    confirmed = invoke("competitors", "confirm", first, "--db", db)
    assert confirmed.exit_code == 0 and "1 customer(s) now confirmed" in confirmed.output
    listed = json.loads(invoke("competitors", "list", "--db", db, "-f", "json").stdout)
    status = {r["customer_id"]: r["competitor_status"] for r in listed}
    assert status[first] == "confirmed" and len(status) == expected
    none = invoke("competitors", "flag", "--db", db)
    assert none.exit_code == 1 and "no competitors to look for" in none.output
