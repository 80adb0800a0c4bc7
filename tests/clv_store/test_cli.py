"""``retain clv fit|predict|evaluate|profit`` through Typer's runner."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from typer.testing import CliRunner

from retain.cli.clv import PREDICT_COLUMNS
from retain.cli.clv import app as clv_app
from retain.clv.scores import latest_scores
from retain.ingest import import_file
from retain.store import open_store

from .conftest import write_orders

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(clv_app, list(args), catch_exceptions=False)


def test_fit_then_predict_as_json_with_charts(shop, db_url, tmp_path):
    fit_png, heat_svg = tmp_path / "fit.png", tmp_path / "heat.svg"
    result = invoke(
        "fit", "--as-of", "2026-10-31", "--db", db_url, "-f", "json", "--chart", str(fit_png)
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["model"] == "bgnbd" and row["as_of"] == "2026-10-31"
    assert row["model_version"].startswith("bgnbd-v1-20261031-")
    assert {"r", "alpha", "a", "b", "spend_p", "spend_q", "spend_v"} <= set(row)
    assert row["repeat_buyers"] == 1222 and row["scored"] == row["customers"] == 1872
    assert row["currency"] == "USD" and row["trust_level"] == "fair"
    assert fit_png.read_bytes()[:4] == b"\x89PNG"

    result = invoke("predict", "--db", db_url, "-f", "json", "--top", "3", "--chart", str(heat_svg))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and list(rows[0]) == list(PREDICT_COLUMNS)
    assert rows[0]["clv_minor"] >= rows[1]["clv_minor"] >= rows[2]["clv_minor"] > 0
    assert all(r["customer_id"].startswith("C") for r in rows)
    assert heat_svg.read_text().lstrip().startswith("<?xml")

    who = rows[1]["customer_id"]
    result = invoke("predict", "--db", db_url, "-f", "json", "--customer", who)
    assert json.loads(result.stdout) == [rows[1]]
    stored = latest_scores(shop)
    match = stored[stored["external_id"] == who].iloc[0]
    assert match["clv_minor"] == rows[1]["clv_minor"]

    result = invoke("predict", "--db", db_url, "-f", "json", "--top", "3", "--intervals")
    assert result.exit_code == 0, result.output
    bounded = json.loads(result.stdout)
    assert [r["customer_id"] for r in bounded] == [r["customer_id"] for r in rows]
    for r in bounded:
        assert 0 <= r["p_alive_low"] <= r["p_alive"] <= r["p_alive_high"] <= 1
        low, high = r["expected_purchases_low"], r["expected_purchases_high"]
        assert 0 < low <= r["expected_purchases"] <= high < 2 * low  # 1,222 repeat buyers


def test_predict_csv_and_table(shop, db_url):
    fitted = invoke("fit", "--as-of", "2026-10-31", "--db", db_url, "--model", "mbgnbd")
    assert fitted.exit_code == 0, fitted.output
    result = invoke("predict", "--db", db_url, "-f", "csv", "--top", "2")
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(PREDICT_COLUMNS) and len(lines) == 3
    assert ",USD,12,mbgnbd,mbgnbd-v1-20261031-" in lines[1]
    table = invoke("predict", "--db", db_url, "--top", "2")
    assert "CLV scores (mbgnbd-v1-20261031-" in table.stdout
    assert "trust: fair." in table.stdout


def test_errors_are_one_line_and_exit_1(tmp_path, usd):
    db = str(tmp_path / "r.db")
    result = invoke("predict", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no CLV fit of any model is stored: run `retain clv fit` first.\n"
    )
    rows = [("A", "2026-01-05", "10"), ("A", "2026-03-01", "12"), ("B", "2026-02-01", "8")]
    rows += [(f"C{i}", "2026-04-01", "5") for i in range(5)]
    store = open_store(f"sqlite:///{db}")
    import_file(store, "orders", write_orders(tmp_path / "o.csv", rows), settings=usd)
    store.dispose()
    result = invoke("fit", "--as-of", "2026-10-31", "--db", db)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(
        "error: only 1 of 7 customers bought again by 2026-10-31: the CLV models need at "
        "least 10 repeat buyers"
    )
    result = invoke("fit", "--as-of", "31/10/2026", "--db", db)
    assert result.exit_code == 1
    assert result.stderr == "error: --as-of must be a date YYYY-MM-DD, not '31/10/2026'\n"


def test_a_small_shop_gets_scores_and_the_trust_message(tmp_path, usd):
    rng = np.random.default_rng(5)
    rows = []
    start = date(2025, 1, 1)
    for c in range(60):
        first = rng.integers(0, 500)
        days = sorted({int(first), *rng.integers(first, 665, size=rng.poisson(1.5)).tolist()})
        rows += [(f"S{c}", str(start + timedelta(days=d)), "20") for d in days]
    db = str(tmp_path / "small.db")
    store = open_store(f"sqlite:///{db}")
    import_file(store, "orders", write_orders(tmp_path / "o.csv", rows), settings=usd)
    result = invoke("fit", "--as-of", "2026-10-31", "--db", db)
    assert result.exit_code == 0, result.output
    assert "trust: poor. Based on" in result.stdout
    assert "Treat the predictions as a ranking only" in result.stdout
    as_json = invoke("predict", "--db", db, "-f", "json")
    assert len(json.loads(as_json.stdout)) == 60
    assert as_json.stderr.startswith("trust: poor.")
    scores = latest_scores(store)
    store.dispose()
    assert scores["p_alive"].between(0, 1).all() and (scores["clv_minor"] >= 0).all()


def test_evaluate_compares_the_models_with_the_naive_rate(shop, db_url, tmp_path):
    chart = tmp_path / "holdout.svg"
    result = invoke(
        "evaluate", "--as-of", "2026-10-31", "--holdout", "6", "--db", db_url, "-f", "json",
        "--chart", str(chart),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["model"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"bgnbd", "mbgnbd", "pareto", "naive (past rate)"}
    assert rows["bgnbd"]["rmse"] < rows["naive (past rate)"]["rmse"]
    assert rows["bgnbd"]["total_actual"] == rows["pareto"]["total_actual"] > 0
    assert chart.exists()


def test_profit_lists_negative_margins_with_evidence_and_deletes_nothing(shop, db_url):
    assert invoke("fit", "--as-of", "2026-10-31", "--db", db_url).exit_code == 0
    before = len(latest_scores(shop))
    result = invoke(
        "profit", "--as-of", "2026-10-31", "--db", db_url, "-f", "json",
        "--cost-per-touchpoint", "5",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows, "the demo has customers whose contacts cost more than they bring"
    assert list(rows[0]) == [
        "customer_id", "margin", "future_value", "future_margin", "currency", "evidence"
    ]  # fmt: skip
    assert {r["currency"] for r in rows} == {"USD"}
    margins = [r["future_margin"] for r in rows]
    assert all(m < 0 for m in margins) and margins == sorted(margins)
    assert "touchpoints cost" in rows[0]["evidence"]
    assert "expected future value" in rows[0]["evidence"]
    assert len(latest_scores(shop)) == before
    with shop.read() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one() == 2000


@pytest.mark.parametrize("command", ["fit", "predict", "evaluate", "profit"])
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert len(result.stdout.split("Options")[0].strip()) > 40


def test_without_a_configured_currency_the_orders_own_is_used(store, tmp_path, usd, monkeypatch):
    rows = [(c, d, "10") for c in "ABCDEFGHIJKL" for d in ("2026-01-05", "2026-03-01")]
    rows += [(c, "2026-05-01", "20") for c in "MNOP"]
    path = write_orders(tmp_path / "o.csv", rows).read_text().splitlines()
    eur = tmp_path / "eur.csv"
    eur.write_text("\n".join([path[0] + ",currency"] + [p + ",EUR" for p in path[1:]]) + "\n")
    import_file(store, "orders", eur, settings=usd)
    monkeypatch.delenv("RETAIN_CURRENCY")
    result = invoke("fit", "--as-of", "2026-10-31", "--db", store.url, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["currency"] == "EUR"
    monkeypatch.setenv("RETAIN_CURRENCY", "USD")
    result = invoke("fit", "--as-of", "2026-10-31", "--db", store.url)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no orders in the business currency USD (the orders")
