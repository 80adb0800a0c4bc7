"""Outreach: whom to contact this week and why, campaigns that respect consent, measured lift.

- The plan (:func:`plan`): rules pick customers, each with a reason and the
  numbers behind it; ranked by value at stake against effort; one action per
  customer per cycle; actions are assigned, done or snoozed.
- The consent gate (:func:`clear`): the one place every send, export and the
  plan ask; do-not-contact, withdrawn consent and unsubscribes are never
  overridden; frequency caps and quiet periods.
- Campaigns: audience, sandboxed Jinja2 template, SMTP or CSV export,
  scheduling (:func:`send_due`), send log, bounces, one-click unsubscribe
  (:func:`unsubscribe`), and a random held-out control group.
- Proof (:func:`campaign_report`): repurchase, return to an earlier stage and
  response, treated against control, with Newcombe's interval.
"""

from retain.outreach.actions import assign, done, snooze
from retain.outreach.campaigns import (
    audience_ids,
    create_campaign,
    draw_control,
    preview,
    record_bounce,
)
from retain.outreach.consent import Clearance, clear, decide, quiet_until
from retain.outreach.delivery import CsvExport, SendSummary, dispatch
from retain.outreach.facts import customer_facts
from retain.outreach.lift import Lift, lift_table, newcombe, verdict
from retain.outreach.plan import PLAN_COLUMNS, build_plan, cycle_of, plan, rank
from retain.outreach.report import OUTCOMES, CampaignReport, campaign_report, member_outcomes
from retain.outreach.rules import FACT_COLUMNS, RULES, run_rules
from retain.outreach.sending import export_campaign, send_campaign, send_due, send_message
from retain.outreach.settings import DEFAULTS, outreach_settings
from retain.outreach.smtp import Delivery, SmtpTransport, build_message
from retain.outreach.templates import FIELDS, Rendered, render
from retain.outreach.unsubscribe import (
    Unsubscribed,
    link_secret,
    read_unsubscribe_token,
    unsubscribe,
    unsubscribe_token,
)

__all__ = [
    "DEFAULTS",
    "FACT_COLUMNS",
    "FIELDS",
    "OUTCOMES",
    "PLAN_COLUMNS",
    "RULES",
    "CampaignReport",
    "Clearance",
    "CsvExport",
    "Delivery",
    "Lift",
    "Rendered",
    "SendSummary",
    "SmtpTransport",
    "Unsubscribed",
    "assign",
    "audience_ids",
    "build_message",
    "build_plan",
    "campaign_report",
    "clear",
    "create_campaign",
    "customer_facts",
    "cycle_of",
    "decide",
    "dispatch",
    "done",
    "draw_control",
    "export_campaign",
    "lift_table",
    "link_secret",
    "member_outcomes",
    "newcombe",
    "outreach_settings",
    "plan",
    "preview",
    "quiet_until",
    "rank",
    "read_unsubscribe_token",
    "record_bounce",
    "render",
    "run_rules",
    "send_campaign",
    "send_due",
    "send_message",
    "snooze",
    "unsubscribe",
    "unsubscribe_token",
    "verdict",
]
