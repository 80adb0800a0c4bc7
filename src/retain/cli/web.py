"""``retain serve``, ``retain users ...`` and ``retain tokens ...``: the web app from the CLI."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from retain.auth import (
    ROLES,
    add_user,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    set_active,
    set_password,
    set_role,
)
from retain.cli.common import (
    DbOption,
    FormatOption,
    OutputFormat,
    cli_store,
    console,
    emit,
    new_app,
)
from retain.config import load_settings
from retain.errors import InvalidInputError

users_app = new_app("Manage who can log in to the web app and the REST API.")
tokens_app = new_app("Manage REST API tokens (only their hashes are stored).")

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InvalidInputError("--password-stdin: stdin held no password")
        return line
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on ([web] host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on ([web] port).")] = None,
    db: DbOption = None,
) -> None:
    """Run the web app and REST API (behind a reverse proxy: see docs/web.md)."""
    import uvicorn

    from retain.web import create_app, web_settings
    from retain.web.logs import JsonLineFormatter

    settings = load_settings()
    web = web_settings(settings)
    store = cli_store(db)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    for name in ("retain.web", "retain.web.requests"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    app = create_app(store, settings, web=web)
    console.print(f"Retain on http://{host or web.host}:{port or web.port}  ({store!r})")
    uvicorn.run(
        app,
        host=host or web.host,
        port=port or web.port,
        access_log=False,  # the access log would show survey tokens in paths
        proxy_headers=False,  # the app's own middleware trusts [web] trusted_proxies
        log_level="warning",
    )


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "viewer",
    display_name: Annotated[str | None, typer.Option("--name", help="Name to show.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Add a user who can log in (asks for the password)."""
    store = cli_store(db)
    password = _read_password(password_stdin)
    user = add_user(
        store, username, password, role=role, now=_now(), display_name=display_name, email=email
    )
    console.print(f"added {user.username} ({user.role})")


@users_app.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: PasswordStdin = False,
    db: DbOption = None,
) -> None:
    """Change a user's password (ends their web sessions)."""
    store = cli_store(db)
    set_password(store, username, _read_password(password_stdin), now=_now())
    console.print(f"password of {username} changed; their sessions were ended")


@users_app.command("role")
def users_role(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.")],
    db: DbOption = None,
) -> None:
    """Give a user another role."""
    user = set_role(cli_store(db), username, role)
    console.print(f"{user.username} is now {user.role}")


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument(help="Login name.")],
    enable: Annotated[bool, typer.Option("--enable", help="Let the user log in again.")] = False,
    db: DbOption = None,
) -> None:
    """Stop a user from logging in (or let them again with --enable)."""
    set_active(cli_store(db), username, enable, now=_now())
    console.print(f"{username} {'enabled' if enable else 'disabled'}")


@users_app.command("list")
def users_list(db: DbOption = None, fmt: FormatOption = OutputFormat.table) -> None:
    """List the users and their roles."""
    rows = [
        {
            "username": u.username,
            "role": u.role,
            "name": u.display_name,
            "email": u.email,
            "active": u.is_active,
        }
        for u in list_users(cli_store(db))
    ]
    emit(rows, fmt, title="users", columns=["username", "role", "name", "email", "active"])


@tokens_app.command("create")
def tokens_create(
    username: Annotated[str, typer.Argument(help="Whose token (it acts with their role).")],
    name: Annotated[str, typer.Argument(help="What it is for, e.g. 'nightly export'.")],
    db: DbOption = None,
) -> None:
    """Create an API token and print it once (it cannot be shown again)."""
    made = create_token(cli_store(db), username, name, now=_now())
    console.print(f"token {made.id} for {username} ({made.name}); keep it secret:")
    sys.stdout.write(made.token + "\n")


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see 'retain tokens list').")],
    db: DbOption = None,
) -> None:
    """Revoke an API token; it stops working at once."""
    revoke_token(cli_store(db), token_id, now=_now())
    console.print(f"token {token_id} revoked")


@tokens_app.command("list")
def tokens_list(
    username: Annotated[str | None, typer.Option("--user", help="Only this user's.")] = None,
    db: DbOption = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """List API tokens (never their secrets)."""
    rows = [
        {
            "id": t.id,
            "user": t.username,
            "name": t.name,
            "created_at": t.created_at,
            "last_used_at": t.last_used_at,
            "revoked_at": t.revoked_at,
        }
        for t in list_tokens(cli_store(db), username)
    ]
    emit(
        rows,
        fmt,
        title="API tokens",
        columns=["id", "user", "name", "created_at", "last_used_at", "revoked_at"],
    )
