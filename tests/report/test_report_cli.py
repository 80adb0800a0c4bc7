"""``retain report`` through Typer's runner: HTML and Markdown files, JSON, clear errors."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from retain.cli.app import app
from retain.config import Settings
from retain.report import build_report, render_html, render_markdown

runner = CliRunner()
AS_OF = date(2026, 11, 1)
SECTION_FIELDS = {"title", "available", "reason", "definition", "data"}


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def html(demo_store) -> str:
    return render_html(build_report(demo_store, AS_OF, Settings()))


def test_html_has_its_three_charts_inline(html):
    charts = re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    assert len(charts) == 3  # stages, cohorts, NPS trend
    for svg in charts:
        assert "<path" in svg  # marks, not an empty frame
    assert "<?xml" not in html and "<metadata" not in html
    assert "Customers per life-cycle stage" in html and "NPS by quarter" in html


def test_html_loads_nothing_from_elsewhere(html):
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)


def test_html_explains_each_figure(html):
    assert "Revenue at risk: lapsed customers who bought 3+ times" in html
    assert "This could be chance" in html or "This is a real change" in html
    assert "Customer lifetime value" in html


def test_markdown_links_its_png_charts(demo_store, tmp_path):
    text = render_markdown(build_report(demo_store, AS_OF, Settings()), tmp_path, prefix="r-")
    for name in ("stages", "cohorts", "nps"):
        assert f"](r-{name}.png)" in text
        assert (tmp_path / f"r-{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| stage | detail | customers | share |" in text


def test_cli_writes_the_html_report(demo_url, tmp_path):
    out = tmp_path / "monday.html"
    result = invoke("report", "--db", demo_url, "--as-of", "2026-11-01", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert f"written: {out}" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "As of 2026-11-01" in page


def test_cli_writes_markdown_with_pngs_beside_it(demo_url, tmp_path):
    out = tmp_path / "monday.md"
    result = invoke("report", "--db", demo_url, "--as-of", "2026-11-01", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Monday report")
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "monday-cohorts.png",
        "monday-nps.png",
        "monday-stages.png",
    ]


def test_cli_json_has_the_documented_fields(demo_url):
    result = invoke("report", "--db", demo_url, "--as-of", "2026-11-01", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-01" and data["currency"] == "USD"
    sections = data["sections"]
    assert set(sections) == {
        "stages", "revenue_at_risk", "flows", "returning_rate", "repeat_purchase_rate",
        "cohorts", "nps", "themes", "cases", "outreach", "clv",
    }  # fmt: skip
    for section in sections.values():
        assert set(section) == SECTION_FIELDS
    assert set(sections["stages"]["data"]["rows"][0]) == {
        "stage", "substage", "customers", "share_pct",
    }  # fmt: skip
    nps = sections["nps"]["data"]
    assert {"period", "n", "score", "margin_of_error", "baseline", "trend"} <= set(nps)
    assert set(nps["baseline"]) == {
        "period", "n", "score", "difference", "difference_low", "difference_high",
        "p_value", "significant",
    }  # fmt: skip
    assert set(sections["revenue_at_risk"]["data"]) == {
        "customers", "yearly_minor", "currency", "loyal_purchases",
    }  # fmt: skip
    assert set(sections["cases"]["data"]) == {"open", "late", "by_priority", "sla"}
    assert set(sections["outreach"]["data"]["rows"][0]) == {
        "customer_id", "name", "rule", "reason", "score", "value",
    }  # fmt: skip


def test_cli_on_an_empty_store_says_what_to_do(tmp_path):
    out = tmp_path / "r.html"
    result = invoke("report", "--db", f"sqlite:///{tmp_path / 'empty.db'}", "-o", str(out))
    assert result.exit_code == 1
    assert "error: no customers in the store" in result.output
    assert "retain import" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_cli_rejects_an_unknown_file_type_and_a_bad_date(tmp_path):
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    result = invoke("report", "--db", db, "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1 and "end the file name in .html or .md" in result.output
    result = invoke("report", "--db", db, "--as-of", "1 Nov")
    assert result.exit_code == 1 and "--as-of must be a date YYYY-MM-DD" in result.output
