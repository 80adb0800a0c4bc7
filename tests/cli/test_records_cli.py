"""The records commands through Typer's runner: init, import, status, demo."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from retain.cli.app import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_init_and_status(db_url):
    result = invoke("init", "--db", db_url)
    assert result.exit_code == 0, result.output
    assert "schema revision" in result.output
    result = invoke("status", "--db", db_url, "--format", "json")
    assert result.exit_code == 0
    counts = {row["table"]: row["rows"] for row in json.loads(result.stdout)}
    assert counts["customers"] == 0 and counts["orders"] == 0


def test_import_prints_counts_as_csv_and_json(db_url, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-01,10\nO2,C2,2024-01-02,11\n"
    )
    first = invoke("import", "orders", str(path), "--db", db_url, "--format", "csv")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "kind,file,read,inserted,updated,unchanged,rejected,customers_created,batch",
        f"orders,{path},2,2,0,0,0,2,1",
    ]
    second = invoke("import", "orders", str(path), "--db", db_url, "--format", "json")
    row = json.loads(second.stdout)[0]
    assert (row["inserted"], row["unchanged"], row["batch"]) == (0, 2, 2)


def test_import_error_is_one_clear_message_and_exit_1(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,ordered_at,amount\nO1,C1,2024-01-01,-3\n")
    result = invoke("import", "orders", str(path), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error: import rejected, nothing was written: 1 problem(s)")
    assert f"{path}, row 2, column 'amount', value '-3': negative amount" in result.stderr


def test_unknown_kind_and_bad_map(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text("a\n1\n")
    result = invoke("import", "products", str(path), "--db", str(tmp_path / "x.db"))
    assert result.exit_code == 1
    assert "unknown import kind 'products'" in result.stderr
    result = invoke(
        "import", "orders", str(path), "--map", "nonsense", "--db", str(tmp_path / "x.db")
    )
    assert result.exit_code == 1 and "write it as SOURCE=FIELD" in result.stderr


def test_bad_database_url(tmp_path):
    result = invoke("status", "--db", "mysql://nowhere/x")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot use database URL")
    result = invoke("status", "--db", str(tmp_path / "missing" / "x.db"))
    assert result.exit_code == 1 and "folder" in result.stderr


def test_demo_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("demo", "--customers", "300", "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "Demo business ready" in result.stdout
    assert "Next, try:" in result.stdout
    truth = pd.read_csv(tmp_path / "retain-demo-data" / "ground_truth.csv")
    customers = pd.read_csv(tmp_path / "retain-demo-data" / "customers.csv")
    orders = pd.read_csv(tmp_path / "retain-demo-data" / "orders.csv")
    assert len(truth) == len(customers) == 300
    assert {"lambda_per_day", "p_drop", "alive_at_end"} <= set(truth.columns)
    status = invoke("status", "--db", "retain-demo.db", "--format", "json")
    counts = {row["table"]: row["rows"] for row in json.loads(status.stdout)}
    assert counts["customers"] == 300
    assert counts["orders"] == len(orders)
    assert f"{len(orders):,} orders" in result.stdout
    assert "Life cycle as of" in result.stdout and "loyal" in result.stdout
    assert "NPS of NPS " in result.stdout
    users = invoke("users", "list", "--db", "retain-demo.db", "--format", "json")
    assert {u["username"]: u["role"] for u in json.loads(users.stdout)} == {
        "owner": "admin",
        "anna": "agent",
        "ben": "agent",
        "carla": "viewer",
    }
    # the demo refuses to overwrite a database that holds records
    again = invoke("demo", "--customers", "300", "--db", "retain-demo.db")
    assert again.exit_code == 1 and "already holds records" in again.stderr
    other = tmp_path / "mine.db"
    invoke(
        "import", "orders", str(tmp_path / "retain-demo-data" / "orders.csv"), "--db", str(other)
    )
    refused = invoke("demo", "--customers", "300", "--db", f"sqlite:///{other}")
    assert refused.exit_code == 1 and "already holds records" in refused.stderr
