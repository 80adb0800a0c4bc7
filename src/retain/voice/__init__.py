"""Voice of the customer: NPS and CSAT surveys, reviews, honest scores, the closed loop.

Scores (:func:`nps`, :func:`csat`, :func:`compare`) are pure functions of
answers; surveys, invitations and answers go through the records store;
detractors and bad reviews open follow-up cases (:func:`close_loop`).
"""

from retain.voice.compare import NPSComparison, compare, required_sample
from retain.voice.loop import close_loop, follow_up_source, review_candidates
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
    response_rates,
)
from retain.voice.tokens import (
    RateLimiter,
    SurveyLinkError,
    invitation_link,
    invitation_link_token,
    open_link,
)

__all__ = [
    "CSATResult",
    "Invitation",
    "InvitationContext",
    "NPSComparison",
    "NPSResult",
    "RateLimiter",
    "SurveyInfo",
    "SurveyLinkError",
    "close_loop",
    "compare",
    "create_survey",
    "csat",
    "export_invitations",
    "follow_up_source",
    "get_survey",
    "invitation_link",
    "invitation_link_token",
    "invitation_table",
    "invite",
    "nps",
    "open_link",
    "required_sample",
    "response_rates",
    "review_candidates",
    "submit_open_response",
    "submit_response",
    "to_nps_scale",
    "verify_open_key",
    "verify_token",
]
