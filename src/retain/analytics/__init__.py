"""Customer life cycle and retention analytics: pure functions over tables.

Tables in (pandas, Arrow or Ibis), tables out (pandas); ``as_of`` is always
a parameter. The expressions are written once with Ibis and run on DuckDB
in-process (pandas/Arrow input), on PostgreSQL or on PySpark (Ibis tables
bound to those backends).
"""

from retain.analytics.flows import (
    explain,
    flow_matrix,
    stage_counts,
    stage_flows,
    stage_history,
)
from retain.analytics.settings import DEFAULTS, lifecycle_settings
from retain.analytics.stages import STAGES, SUBSTAGES, customer_stages, stage_table
from retain.analytics.summary import customer_summary, summary_table

__all__ = [
    "DEFAULTS",
    "STAGES",
    "SUBSTAGES",
    "customer_stages",
    "customer_summary",
    "explain",
    "flow_matrix",
    "lifecycle_settings",
    "stage_counts",
    "stage_flows",
    "stage_history",
    "stage_table",
    "summary_table",
]
