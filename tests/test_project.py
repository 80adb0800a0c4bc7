"""Project-wide checks: lint, the CLI reference, help texts, the public Python API."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from retain.cli.app import app
from retain.cli.reference import render_reference, walk

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run(
        [ruff, "check", "src", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_command_has_help_text():
    missing = [
        " ".join(("retain", *path))
        for path, command in walk(typer.main.get_command(app))
        if path and not (command.help or "").strip()
    ]
    assert missing == [], f"commands without help text: {missing}"


def test_cli_reference_is_up_to_date():
    documented = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert documented == render_reference(), (
        "docs/cli.md is out of date: run python -m retain.cli.reference > docs/cli.md"
    )


@pytest.mark.parametrize(
    ("module", "names"),
    [
        (
            "retain.clv",
            {"BetaGeo", "ParetoNBD", "ModifiedBetaGeo", "BetaGeoBetaBinom", "GammaGamma"},
        ),
        ("retain.analytics", {"customer_summary"}),
        ("retain.voice", {"nps"}),
        ("retain.ingest", {"import_file", "ImportReport", "KINDS"}),
        ("retain.store", {"Store", "open_store"}),
    ],
)
def test_public_names_of_the_design(module, names):
    mod = importlib.import_module(module)
    assert names <= set(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ names {name!r}, which does not exist"
