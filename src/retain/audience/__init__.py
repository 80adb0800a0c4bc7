"""Audiences and a clean customer list: segments, niche sizing, duplicates, competitors.

- :mod:`~retain.audience.filters`: the safe segment filter language
  (:func:`parse`, :func:`evaluate`), never ``eval``.
- :func:`audience_frame`: one row per customer, demographics and behaviour
  (stage, RFM segment, CLV, NPS group, categories) as of a date.
- :func:`segment_memberships` (who is in which saved segment) and
  :func:`segment_scores` (NPS per saved segment, a customer counted in each).
- :func:`segment_size`, :func:`compare_segments`, :func:`profile`: how big and
  how valuable a niche is, and what sets the best customers apart (tests
  corrected for multiple comparisons).
- :func:`find_duplicates`: likely same person, with a score 0-1 and evidence;
  :func:`merge_duplicates`/:func:`undo_merge` on the store.
- :func:`match_competitors`/:func:`flag_competitors`; :func:`excluded_customer_ids`
  for analytics and outreach to leave confirmed competitors and merged
  duplicates out.
"""

from retain.audience.attributes import AGE_BANDS, FIELDS, age_bands, audience_frame, nps_group
from retain.audience.by_segment import segment_scores
from retain.audience.competitors import company_key, match_competitors
from retain.audience.dedupe import PAIR_COLUMNS, WEIGHTS, candidate_pairs, find_duplicates
from retain.audience.filters import FilterError, evaluate, parse
from retain.audience.normalise import (
    email_keys,
    name_keys,
    normalise_email,
    normalise_phone,
    phone_keys,
)
from retain.audience.profile import benjamini_hochberg, profile
from retain.audience.service import (
    audience_settings,
    check_expression,
    confirm_competitors,
    create_segment,
    duplicate_candidates,
    excluded_customer_ids,
    flag_competitors,
    load_audience,
    merge_duplicates,
    segment_members,
    segment_memberships,
    undo_merge,
)
from retain.audience.sizing import DEFAULTS, SegmentSize, compare_segments, segment_size

__all__ = [
    "AGE_BANDS",
    "DEFAULTS",
    "FIELDS",
    "PAIR_COLUMNS",
    "WEIGHTS",
    "FilterError",
    "SegmentSize",
    "age_bands",
    "audience_frame",
    "audience_settings",
    "benjamini_hochberg",
    "candidate_pairs",
    "check_expression",
    "company_key",
    "compare_segments",
    "confirm_competitors",
    "create_segment",
    "duplicate_candidates",
    "email_keys",
    "evaluate",
    "excluded_customer_ids",
    "find_duplicates",
    "flag_competitors",
    "load_audience",
    "match_competitors",
    "merge_duplicates",
    "name_keys",
    "normalise_email",
    "normalise_phone",
    "nps_group",
    "parse",
    "phone_keys",
    "profile",
    "segment_members",
    "segment_memberships",
    "segment_scores",
    "segment_size",
    "undo_merge",
]
