"""``retain demo``: generate the synthetic business and load it through the normal paths.

The CSV files go through the importer like a real business's exports; then the
demo adds a small team (an admin, two agents, a viewer), opens follow-up cases
for recent detractors and bad reviews (the closed loop), and summarises the
business: customers per life-cycle stage and the NPS of the latest survey.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from retain.config import Settings
from retain.ingest import ImportReport, import_file
from retain.store import Store

#: the order in which the demo files are imported (customers before what refers to them)
IMPORT_ORDER = ("customers", "orders", "interactions", "feedback")
#: the demo's team: username -> role (passwords are random; set one with `retain users passwd`)
TEAM = {"owner": "admin", "anna": "agent", "ben": "agent", "carla": "viewer"}
#: detractor answers and bad reviews younger than this open a follow-up case
LOOP_DAYS = 90


@dataclass
class DemoReport:
    """What the demo made: files, imports, team, cases opened, stages and NPS."""

    folder: Path
    files: dict[str, Path]
    imports: dict[str, ImportReport]
    params: dict
    team: dict[str, str] = field(default_factory=dict)
    cases_opened: int = 0
    stages: pd.DataFrame | None = None
    nps: dict | None = None


def run_demo(
    store: Store,
    folder: Path,
    *,
    n_customers: int,
    end: date,
    seed: int,
    settings: Settings,
    on_import: Callable[[str, Path], Callable[[str, int, int], None] | None] | None = None,
) -> DemoReport:
    """Write the demo business's CSV files to ``folder`` and load them into ``store``.

    ``on_import(kind, path)`` may return a progress hook for that file's import.
    """
    from retain.demo.generator import generate_business, write_business

    business = generate_business(n_customers, end=end, seed=seed, currency=settings.currency)
    folder.mkdir(parents=True, exist_ok=True)
    files = write_business(business, folder)
    imports = {}
    for kind in IMPORT_ORDER:
        hook = on_import(kind, files[kind]) if on_import else None
        imports[kind] = import_file(
            store, kind, files[kind], settings=settings, progress=hook, run_by="retain demo"
        )
    now = datetime.combine(end, datetime.min.time(), tzinfo=UTC)
    report = DemoReport(folder, files, imports, business.params)
    report.team = _add_team(store, now)
    report.cases_opened = _close_loop(store, now)
    report.stages = _stage_counts(store, end)
    report.nps = _latest_nps(store)
    return report


def _add_team(store: Store, now: datetime) -> dict[str, str]:
    from retain.auth.users import add_user

    for username, role in TEAM.items():
        add_user(store, username, secrets.token_urlsafe(24), role=role, now=now)
    return dict(TEAM)


def _close_loop(store: Store, now: datetime) -> int:
    from retain.voice import close_loop

    return len(close_loop(store, now=now, max_age_days=LOOP_DAYS))


def _stage_counts(store: Store, as_of: date) -> pd.DataFrame:
    from retain.analytics import stage_counts, store_stages

    return stage_counts(store_stages(store, as_of))


def _latest_nps(store: Store) -> dict | None:
    from retain.voice import get_survey, load_answers, nps

    answers = load_answers(store)
    answers = answers[answers["survey_id"].notna()]
    if answers.empty:
        return None
    latest = int(answers.sort_values("responded_at")["survey_id"].iloc[-1])
    result = nps(answers.loc[answers["survey_id"] == latest, "nps_score"].astype(int))
    return {
        "survey": get_survey(store, latest).name,
        "score": result.score,
        "margin_of_error": result.margin_of_error,
        "n": result.n,
    }
