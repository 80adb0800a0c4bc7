"""Voice of the customer: NPS and CSAT surveys, reviews, honest scores, the closed loop.

Scores (:func:`nps`, :func:`csat`, :func:`compare`) are pure functions of
answers; surveys, invitations and answers go through the records store;
detractors and bad reviews open follow-up cases (:func:`close_loop`).
"""

from retain.voice.breakdown import (
    GROUPINGS,
    csat_table,
    grouped_scores,
    nps_table,
    period_bounds,
)
from retain.voice.charts import trend_chart
from retain.voice.compare import NPSComparison, compare, required_sample
from retain.voice.loop import close_loop, follow_up_source, review_candidates
from retain.voice.quiet import flag_low_effort, silent_customers
from retain.voice.report import (
    Scope,
    load_answers,
    low_effort_answers,
    promoter_report,
    score_report,
    silent_report,
    theme_report,
)
from retain.voice.responses import (
    InvitationContext,
    submit_open_response,
    submit_response,
    to_nps_scale,
    verify_open_key,
    verify_token,
)
from retain.voice.scores import CSATResult, NPSResult, csat, nps
from retain.voice.surveys import (
    Invitation,
    SurveyInfo,
    create_survey,
    export_invitations,
    get_survey,
    invitation_table,
    invite,
    mark_invitations_sent,
    response_rates,
)
from retain.voice.text import is_low_effort
from retain.voice.themes import find_themes
from retain.voice.tokens import (
    RateLimiter,
    SurveyLinkError,
    invitation_link,
    invitation_link_token,
    open_link,
)

__all__ = [
    "GROUPINGS",
    "CSATResult",
    "Invitation",
    "InvitationContext",
    "NPSComparison",
    "NPSResult",
    "RateLimiter",
    "Scope",
    "SurveyInfo",
    "SurveyLinkError",
    "close_loop",
    "compare",
    "create_survey",
    "csat",
    "csat_table",
    "export_invitations",
    "find_themes",
    "flag_low_effort",
    "follow_up_source",
    "get_survey",
    "grouped_scores",
    "invitation_link",
    "invitation_link_token",
    "invitation_table",
    "invite",
    "is_low_effort",
    "load_answers",
    "low_effort_answers",
    "mark_invitations_sent",
    "nps",
    "nps_table",
    "open_link",
    "period_bounds",
    "promoter_report",
    "required_sample",
    "response_rates",
    "review_candidates",
    "score_report",
    "silent_customers",
    "silent_report",
    "submit_open_response",
    "submit_response",
    "theme_report",
    "to_nps_scale",
    "trend_chart",
    "verify_open_key",
    "verify_token",
]
