"""The console script loads only the capability of the command it runs."""

from __future__ import annotations

import subprocess
import sys

import typer.main

from retain.cli.app import COMMANDS, app


def _loaded_after(command: str) -> set[str]:
    code = (
        "import sys\n"
        "from retain.cli.app import build_app\n"
        f"build_app({command!r})\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


def test_every_command_of_the_full_app_has_its_loader() -> None:
    names = set(typer.main.get_command(app).commands)
    assert names == set(COMMANDS) | {"version"}


def test_a_command_loads_only_its_capability() -> None:
    version = _loaded_after("version")
    assert "pandas" not in version and "ibis" not in version
    lifecycle = _loaded_after("lifecycle")
    assert "retain.cli.lifecycle" in lifecycle
    assert not {"retain.web", "retain.cli.clv", "fastapi", "scipy.stats"} & lifecycle
    everything = _loaded_after("--help")
    assert {"retain.cli.lifecycle", "retain.cli.clv", "retain.cli.web"} <= everything


def test_the_script_runs_a_lone_command_as_a_group(tmp_path) -> None:
    # with only `version` registered, Typer would run it bare and refuse its name
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['retain','version']; from retain.cli.app import main; main()",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()
