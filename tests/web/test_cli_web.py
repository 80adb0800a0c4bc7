"""``retain users ...`` and ``retain tokens ...`` through Typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from retain.auth import authenticate, user_for_token
from retain.cli.app import app
from retain.store import open_store

from .conftest import START

runner = CliRunner()
PW = "a long enough passphrase\n"


def test_users_add_list_passwd(tmp_path):
    db = str(tmp_path / "r.db")
    r = runner.invoke(
        app,
        [
            "users",
            "add",
            "ada",
            "--role",
            "agent",
            "--name",
            "Ada L",
            "--password-stdin",
            "--db",
            db,
        ],
        input=PW,
    )
    assert r.exit_code == 0, r.output
    assert "added ada (agent)" in r.output
    r = runner.invoke(app, ["users", "list", "--db", db, "--format", "json"])
    assert json.loads(r.stdout) == [
        {"username": "ada", "role": "agent", "name": "Ada L", "email": None, "active": True}
    ]
    r = runner.invoke(app, ["users", "add", "ada", "--password-stdin", "--db", db], input=PW)
    assert r.exit_code == 1 and "exists already" in r.output
    r = runner.invoke(app, ["users", "add", "bob", "--password-stdin", "--db", db], input="short\n")
    assert r.exit_code == 1 and "at least 10" in r.output
    r = runner.invoke(
        app, ["users", "passwd", "ada", "--password-stdin", "--db", db], input="new passphrase ok\n"
    )
    assert r.exit_code == 0, r.output
    store = open_store(f"sqlite:///{db}")
    assert authenticate(store, "ada", "new passphrase ok").username == "ada"
    r = runner.invoke(app, ["users", "role", "ada", "viewer", "--db", db])
    assert r.exit_code == 0 and "ada is now viewer" in r.output


def test_users_add_prompts_twice_for_the_password(tmp_path):
    db = str(tmp_path / "r.db")
    r = runner.invoke(app, ["users", "add", "ada", "--db", db], input=PW + PW)
    assert r.exit_code == 0, r.output
    assert "Repeat for confirmation" in r.output


def test_tokens_create_list_revoke(tmp_path):
    db = str(tmp_path / "r.db")
    runner.invoke(app, ["users", "add", "ada", "--password-stdin", "--db", db], input=PW)
    r = runner.invoke(app, ["tokens", "create", "ada", "nightly export", "--db", db])
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("rtk_")
    store = open_store(f"sqlite:///{db}")
    assert user_for_token(store, token, now=START).username == "ada"
    r = runner.invoke(app, ["tokens", "list", "--db", db, "--format", "json"])
    rows = json.loads(r.stdout)
    assert [(t["user"], t["name"], t["revoked_at"]) for t in rows] == [
        ("ada", "nightly export", None)
    ]
    assert token not in r.stdout
    r = runner.invoke(app, ["tokens", "revoke", str(rows[0]["id"]), "--db", db])
    assert r.exit_code == 0 and "revoked" in r.output
    r = runner.invoke(app, ["tokens", "revoke", str(rows[0]["id"]), "--db", db])
    assert r.exit_code == 1 and "no active API token" in r.output


def test_every_web_command_has_help():
    for args in (
        ["serve"],
        ["users", "add"],
        ["users", "passwd"],
        ["users", "list"],
        ["tokens", "create"],
        ["tokens", "revoke"],
        ["tokens", "list"],
    ):
        r = runner.invoke(app, [*args, "--help"])
        assert r.exit_code == 0 and len(r.output) > 100, args
