"""Campaigns, read only: the ``/campaigns`` pages and ``/api/v1/campaigns``.

Campaigns are created and sent with ``retain campaign``; the web shows them
and their report: each outcome treated against the held-out control group,
the lift with its 95% interval, and whether it is distinguishable from zero
(:func:`retain.outreach.campaign_report`).
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from retain.outreach import campaign_report
from retain.store import outreach as db
from retain.web.deps import Now, Reader, StoreDep
from retain.web.pages import render
from retain.web.plan import plan_settings
from retain.web.schemas.campaigns import CampaignReportPublic, CampaignSummary
from retain.web.schemas.common import ERRORS, NOT_FOUND, PathId

api = APIRouter(prefix="/api/v1/campaigns", tags=["outreach"], responses=ERRORS)
pages = APIRouter(include_in_schema=False)


def _summaries(store) -> list[dict[str, Any]]:
    rows = db.campaigns(store)
    for row in rows:
        for key in ("treated", "control", "sent"):
            row[key] = int(row[key] or 0)
    return rows


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def _report(request: Request, store, campaign_id: int, now) -> dict[str, Any]:
    _, lifecycle = plan_settings(request.app.state.settings)
    report = campaign_report(store, campaign_id, as_of=now, lifecycle=lifecycle)
    lifts = [
        {str(k): _plain(v) for k, v in row.items()}
        for row in report.lifts.astype(object).to_dict("records")
    ]
    return {
        "campaign": report.campaign,
        "start": report.start,
        "end": report.end,
        "complete": report.complete,
        "sends": report.sends,
        "lifts": lifts,
        "summary": report.lines(),
    }


@api.get("", response_model=list[CampaignSummary])
def list_campaigns(store: StoreDep, user: Reader) -> list[CampaignSummary]:
    """Every campaign, oldest first, with its arms and how many messages went out."""
    return [CampaignSummary.model_validate(r) for r in _summaries(store)]


@api.get("/{campaign_id}/report", response_model=CampaignReportPublic, responses=NOT_FOUND)
def report(
    request: Request, campaign_id: PathId, store: StoreDep, user: Reader, now: Now
) -> CampaignReportPublic:
    """Treated against control for each outcome (repurchase, returned, response), up to now."""
    return CampaignReportPublic.model_validate(_report(request, store, campaign_id, now))


@pages.get("/campaigns")
def campaigns_page(request: Request, store: StoreDep, user: Reader) -> Response:
    return render(request, "campaigns.html", {"nav": "campaigns", "rows": _summaries(store)})


@pages.get("/campaigns/{campaign_id}")
def campaign_page(
    request: Request, campaign_id: PathId, store: StoreDep, user: Reader, now: Now
) -> Response:
    campaign = db.campaign(store, campaign_id)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "report": _report(request, store, campaign_id, now),
    }
    return render(request, "campaign.html", context)
