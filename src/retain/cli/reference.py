"""The CLI reference (docs/cli.md), generated from the commands' own ``--help``.

Run ``python -m retain.cli.reference > docs/cli.md`` after changing a command; a
test fails when the file and the commands disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from retain.cli.app import app


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group under ``command``, with its path of names, in order."""
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        if not getattr(sub, "hidden", False):
            yield from walk(sub, (*path, name))


def render_reference() -> str:
    """Markdown with the ``--help`` text of every ``retain`` command."""
    root = typer.main.get_command(app)
    parts = [
        "# Command reference",
        "",
        "Generated from `--help` by "
        "`python -m retain.cli.reference > docs/cli.md`; do not edit by hand.",
        "",
    ]
    for path, command in walk(root):
        name = " ".join(("retain", *path))
        ctx = typer.Context(command, info_name=name, terminal_width=100, max_content_width=100)
        parts += [f"## `{name}`", "", "```", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_reference(), end="")
