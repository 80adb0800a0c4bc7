"""The public Python API of retain.analytics is pinned: other capabilities call it."""

from __future__ import annotations

import retain.analytics as analytics


def test_public_names() -> None:
    assert sorted(analytics.__all__) == [
        "COHORT_COLUMNS",
        "DEFAULTS",
        "INTERVAL_COLUMNS",
        "RFM_COLUMNS",
        "RINGS",
        "SEGMENTS",
        "STAGES",
        "SUBSTAGES",
        "cohort_matrix",
        "cohort_table",
        "customer_stages",
        "customer_summary",
        "explain",
        "flow_matrix",
        "lifecycle_settings",
        "relationship_ring",
        "repeat_purchase_rate",
        "retention_intervals",
        "revenue_at_risk",
        "rfm_scores",
        "rfm_table",
        "ring_counts",
        "second_purchase_distribution",
        "segment_counts",
        "stage_cache_info",
        "stage_counts",
        "stage_flows",
        "stage_history",
        "stage_table",
        "store_stages",
        "summary_table",
        "time_to_second_purchase",
    ]
    for name in analytics.__all__:
        obj = getattr(analytics, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 40, f"{name} needs a docstring"


def test_stage_names() -> None:
    assert analytics.STAGES == ("prospect", "new", "active", "loyal", "lapsed", "inactive")
    assert analytics.SUBSTAGES == {
        "lapsed": ("short_term", "long_term", "seasonal"),
        "inactive": ("win_back", "do_not_contact"),
    }
