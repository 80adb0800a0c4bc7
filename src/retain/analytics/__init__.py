"""Customer life cycle and retention analytics: pure functions over tables.

Tables in (pandas, Arrow or Ibis), tables out (pandas); ``as_of`` is always
a parameter. The expressions are written once with Ibis and run on DuckDB
in-process (pandas/Arrow input), on PostgreSQL or on PySpark (Ibis tables
bound to those backends).
"""

from retain.analytics.at_risk import revenue_at_risk
from retain.analytics.cache import stage_cache_info, store_stages
from retain.analytics.cohorts import COHORT_COLUMNS, cohort_matrix, cohort_table
from retain.analytics.flows import (
    explain,
    flow_matrix,
    stage_counts,
    stage_flows,
    stage_history,
)
from retain.analytics.retention import (
    INTERVAL_COLUMNS,
    repeat_purchase_rate,
    retention_intervals,
    second_purchase_distribution,
    time_to_second_purchase,
)
from retain.analytics.rfm import RFM_COLUMNS, SEGMENTS, rfm_scores, rfm_table, segment_counts
from retain.analytics.ring import RINGS, relationship_ring, ring_counts
from retain.analytics.settings import DEFAULTS, lifecycle_settings
from retain.analytics.stages import STAGES, SUBSTAGES, customer_stages, stage_table
from retain.analytics.summary import customer_summary, summary_table

__all__ = [
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
