"""docs/lifecycle.md cannot drift: every setting, command option and stage is in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from retain.analytics import DEFAULTS, SEGMENTS, STAGES
from retain.cli.app import app

DOC = (Path(__file__).parents[2] / "docs" / "lifecycle.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key", sorted(DEFAULTS))
def test_every_setting_is_documented_with_its_default(key: str) -> None:
    value = DEFAULTS[key]
    assert f"| `{key}` | {value} |" in DOC


@pytest.mark.parametrize("name", ["lifecycle", "cohorts", "rfm"])
def test_every_option_is_documented(name: str) -> None:
    cmd = typer.main.get_command(app).commands[name]
    assert cmd.help
    for param in cmd.params:
        for opt in param.opts:
            if opt.startswith("--") and opt not in ("--db", "--format", "--help"):
                assert opt in DOC, f"retain {name} {opt} is not in docs/lifecycle.md"


def test_stages_and_segments_are_documented() -> None:
    for stage in STAGES:
        assert f"**{stage}" in DOC
    for segment in SEGMENTS:
        assert f"| {segment} |" in DOC
