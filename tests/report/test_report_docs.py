"""docs/report.md documents every section, setting and public name of the report."""

from __future__ import annotations

from pathlib import Path

import retain.report
from retain.report import DEFAULTS, DEFINITIONS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text(encoding="utf-8")


def test_every_section_is_documented():
    for name in DEFINITIONS:
        assert f"| `{name}` |" in DOC, f"docs/report.md does not describe the section {name}"


def test_every_setting_is_documented():
    for key in DEFAULTS:
        assert f"| `{key}` |" in DOC, f"docs/report.md does not describe [report] {key}"


def test_public_api_is_pinned():
    assert set(retain.report.__all__) == {
        "DEFAULTS", "DEFINITIONS", "Chart", "Report", "Section", "build_report",
        "render_html", "render_markdown", "report_settings", "write_report",
    }  # fmt: skip
    for name in retain.report.__all__:
        assert hasattr(retain.report, name)
