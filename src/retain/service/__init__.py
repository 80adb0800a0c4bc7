"""Service cases: complaints and follow-ups with owners, SLAs, escalation and metrics.

Business rules over the records store (:mod:`retain.store.cases`); the pure
parts (SLA calendar arithmetic, the priority rule, metrics over tables) live
in their own modules and take no database.
"""

from retain.service.calendar import Calendar
from retain.service.cases import assign, close, comment, get_case, reopen, resolve, set_status
from retain.service.escalation import Escalation, check_sla
from retain.service.opening import open_case
from retain.service.priority import CustomerValue, Priority, priority_for
from retain.service.reports import CaseMetrics, case_metrics, find_cases
from retain.service.reprioritise import set_priority
from retain.service.retention import retention_effect
from retain.service.sla import SlaPolicy, Target, policy_from_settings

__all__ = [
    "Calendar",
    "CaseMetrics",
    "CustomerValue",
    "Escalation",
    "Priority",
    "SlaPolicy",
    "Target",
    "assign",
    "case_metrics",
    "check_sla",
    "close",
    "comment",
    "find_cases",
    "get_case",
    "open_case",
    "policy_from_settings",
    "priority_for",
    "reopen",
    "resolve",
    "retention_effect",
    "set_priority",
    "set_status",
]
