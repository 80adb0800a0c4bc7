"""The ``[outreach]`` section of retain.toml: rules, ranking, consent, caps, SMTP.

Every number the plan, the consent gate and the campaigns use is here with
its default; ``docs/outreach.md`` documents each one (a test checks that).
:func:`outreach_settings` checks a user's values and names the wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from retain.errors import ConfigError

CHANNELS = ("email", "phone", "letter")

DEFAULTS: dict[str, Any] = {
    # rules that run, in this order of preference when scores tie
    "rules": [
        "case_sla",
        "detractor",
        "loyal_lapsing",
        "new_follow_up",
        "best_customer",
        "silent",
        "win_back",
        "yearly_letter",
    ],
    # uplift: the share of the value at stake a contact could change, per rule (0..1)
    "uplift_case_sla": 0.40,
    "uplift_detractor": 0.25,
    "uplift_loyal_lapsing": 0.30,
    "uplift_new_follow_up": 0.20,
    "uplift_best_customer": 0.10,
    "uplift_silent": 0.10,
    "uplift_win_back": 0.05,
    "uplift_yearly_letter": 0.05,
    # effort: staff minutes per contact on each channel
    "effort_minutes_email": 2.0,
    "effort_minutes_phone": 10.0,
    "effort_minutes_letter": 15.0,
    # loyal_lapsing: at least this many purchase days, and past this share of the expected gap
    "loyal_purchases": 3,
    "loyal_gap_share": 1.0,
    # loyal_lapsing stops once the customer is this many gaps past his last order
    "loyal_max_gap_multiple": 2.0,
    # new_follow_up: days after the first (and only) purchase
    "follow_up_after_days": 7,
    "follow_up_until_days": 30,
    # detractor: latest score at most this, answered within this many days
    "detractor_max_score": 6,
    "detractor_days": 180,
    # silent: invited at least this often, never answered, buying less than before
    "silent_min_invitations": 2,
    "silent_window_days": 180,
    # case_sla: an open case due (first response or resolution) within this many hours
    "sla_warning_hours": 24.0,
    # best_customer: top share of customers by value whose latest score is a promoter's
    "best_top_share": 0.05,
    "best_min_score": 9,
    # yearly_letter: the top N customers by value, in this month (1-12), once a year
    "letter_top_n": 20,
    "letter_month": 12,
    # a customer whose action was done is left alone for this many days
    "done_cooldown_days": 14,
    # value: "auto" (the stored CLV scores of retain clv fit where they cover a customer,
    # else revenue), "revenue" (yearly net revenue) or "clv" (BG/NBD x Gamma-Gamma fitted now)
    "value_from": "auto",
    # the yearly value is multiplied by this many years
    "value_horizon_years": 1.0,
    # consent: e-mail needs an explicit yes (False: no answer yet is allowed, a no never is)
    "email_requires_opt_in": False,
    # frequency caps: at most N outbound contacts per channel in a window of D days
    "cap_email": 2,
    "cap_email_days": 30,
    "cap_phone": 1,
    "cap_phone_days": 14,
    "cap_letter": 1,
    "cap_letter_days": 90,
    # quiet period after any outbound contact on any channel (days)
    "quiet_after_contact_days": 3,
    # quiet hours in the business time zone (no sending): "HH:MM-HH:MM", "" for none
    "quiet_hours": "21:00-08:00",
    # no marketing to a customer with an open case (service messages still go)
    "quiet_while_case_open": True,
    # campaigns
    "control_share": 0.10,
    "outcome_window_days": 30,
    "from_address": "retain@localhost",
    "unsubscribe_url": "http://localhost:8000/outreach/unsubscribe/{token}",
    # SMTP: tls is "starttls", "ssl" or "none"; the password is read from the variable named
    "smtp_host": "localhost",
    "smtp_port": 25,
    "smtp_tls": "none",
    "smtp_user": "",
    "smtp_password_env": "RETAIN_SMTP_PASSWORD",
    "smtp_timeout_seconds": 30.0,
}

_SHARES = [k for k in DEFAULTS if k.startswith("uplift_")] + ["best_top_share", "control_share"]
_QUIET = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def outreach_settings(given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The outreach settings: ``DEFAULTS`` overridden by ``given``, checked.

    Raises ConfigError naming the setting and what it should be.
    """
    given = dict(given or {})
    unknown = sorted(set(given) - set(DEFAULTS))
    if unknown:
        raise ConfigError(
            f"[outreach] unknown setting(s) {', '.join(unknown)}; known: {', '.join(DEFAULTS)}"
        )
    cfg = {**DEFAULTS, **given}
    from retain.outreach.rules import RULES

    bad = [r for r in cfg["rules"] if r not in RULES]
    if bad:
        raise ConfigError(f"[outreach] rules: unknown rule(s) {bad}; use some of {list(RULES)}")
    for key in _SHARES:
        if not 0 <= float(cfg[key]) <= 1:
            raise ConfigError(f"[outreach] {key} = {cfg[key]!r}: use a share between 0 and 1")
    for ch in CHANNELS:
        if float(cfg[f"effort_minutes_{ch}"]) <= 0:
            raise ConfigError(f"[outreach] effort_minutes_{ch} must be more than 0 minutes")
        if int(cfg[f"cap_{ch}"]) < 0 or int(cfg[f"cap_{ch}_days"]) < 1:
            raise ConfigError(f"[outreach] cap_{ch} must be >= 0 and cap_{ch}_days >= 1")
    if cfg["quiet_hours"] and not _QUIET.match(cfg["quiet_hours"]):
        raise ConfigError(
            f"[outreach] quiet_hours = {cfg['quiet_hours']!r}: write it as HH:MM-HH:MM, "
            'e.g. "21:00-08:00", or "" for none'
        )
    if cfg["value_from"] not in ("auto", "revenue", "clv"):
        raise ConfigError('[outreach] value_from must be "auto", "revenue" or "clv"')
    if cfg["smtp_tls"] not in ("starttls", "ssl", "none"):
        raise ConfigError("[outreach] smtp_tls must be starttls, ssl or none")
    if not 1 <= int(cfg["letter_month"]) <= 12:
        raise ConfigError("[outreach] letter_month must be a month number 1-12")
    if "{token}" not in cfg["unsubscribe_url"]:
        raise ConfigError("[outreach] unsubscribe_url must contain {token}")
    return cfg


def quiet_window(text: str) -> tuple[int, int] | None:
    """``"21:00-08:00"`` as minutes of the day (start, end); None for ``""``."""
    if not text:
        return None
    m = _QUIET.match(text)
    assert m is not None
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    return h1 * 60 + m1, h2 * 60 + m2
