"""Reads and writes of the outreach capability: actions, campaigns, the send log, consent.

Only this package speaks SQL for ``retain.outreach``; it returns plain dicts
and pandas frames. One module per concept:

- :mod:`~retain.store.outreach.people`: what the rules and the consent gate
  read about customers (contact fields, flags, contacts, suppressions,
  latest NPS, open cases);
- :mod:`~retain.store.outreach.plan_actions`: the plan's actions;
- :mod:`~retain.store.outreach.campaign_records`: campaigns and their members;
- :mod:`~retain.store.outreach.send_log`: the send log, bounces, unsubscribes
  and responses. Every message sent is written together with its
  interaction (the customer's timeline) in one transaction.

Callers use ``from retain.store import outreach as db`` and ``db.<name>``.
"""

from __future__ import annotations

from retain.store.outreach.campaign_records import (
    campaign,
    campaigns,
    claim_campaign,
    create_campaign,
    due_campaigns,
    insert_members,
    members,
    set_campaign,
)
from retain.store.outreach.people import (
    CUSTOMER_COLUMNS,
    contacts_since,
    customer_ids_by_external,
    customers,
    latest_nps,
    open_cases,
    suppressions,
)
from retain.store.outreach.plan_actions import (
    ACTION_COLUMNS,
    actions,
    save_actions,
    snoozed_or_done,
    update_action,
    user_id,
)
from retain.store.outreach.plan_actions import _action_select as _action_select
from retain.store.outreach.send_log import (
    attempted,
    log_skips,
    record_bounce,
    record_contact,
    responses,
    sends,
    unsubscribe,
)

__all__ = [
    "ACTION_COLUMNS",
    "CUSTOMER_COLUMNS",
    "actions",
    "attempted",
    "campaign",
    "campaigns",
    "claim_campaign",
    "contacts_since",
    "create_campaign",
    "customer_ids_by_external",
    "customers",
    "due_campaigns",
    "insert_members",
    "latest_nps",
    "log_skips",
    "members",
    "open_cases",
    "record_bounce",
    "record_contact",
    "responses",
    "save_actions",
    "sends",
    "set_campaign",
    "snoozed_or_done",
    "suppressions",
    "unsubscribe",
    "update_action",
    "user_id",
]
