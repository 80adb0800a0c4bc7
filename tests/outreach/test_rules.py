"""Each rule on hand-made customers; the ranking formula; one action per customer."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from retain.errors import ConfigError, MissingColumnsError
from retain.outreach import RULES, outreach_settings, rank, run_rules
from retain.outreach.rules import (
    best_customer,
    case_sla,
    detractor,
    loyal_lapsing,
    new_follow_up,
    silent,
    win_back,
    yearly_letter,
)

from .kit import cfg, facts

DAY = date(2026, 3, 11)


def picked(frame: pd.DataFrame) -> list[int]:
    return sorted(frame["customer_id"].tolist())


def test_loyal_lapsing_picks_a_loyal_customer_past_his_gap_only():
    f = facts(
        # 4 purchases, 70 days since the last, gap 60: past the gap -> picked
        {"customer_id": 1, "purchases": 4, "days_since_last_order": 70, "expected_gap_days": 60},
        # exactly on the gap: not past it
        {"customer_id": 2, "purchases": 4, "days_since_last_order": 60, "expected_gap_days": 60},
        # only 2 purchases: not loyal
        {"customer_id": 3, "purchases": 2, "days_since_last_order": 70, "expected_gap_days": 60},
        # beyond 2 gaps: win-back territory
        {"customer_id": 4, "purchases": 5, "days_since_last_order": 121, "expected_gap_days": 60},
    )
    out = loyal_lapsing(f, DAY, cfg())
    assert picked(out) == [1]
    row = out.iloc[0]
    assert row["reason"] == (
        "loyal customer (4 purchases) last bought 70 days ago; usually returns within 60 days"
    )
    assert row["numbers"] == {"purchases": 4, "days_since_last_order": 70, "expected_gap_days": 60}
    assert row["channel"] == "phone"


def test_new_follow_up_window_is_inclusive():
    f = facts(
        {"customer_id": 1, "purchases": 1, "days_since_first_order": 6},
        {"customer_id": 2, "purchases": 1, "days_since_first_order": 7},
        {"customer_id": 3, "purchases": 1, "days_since_first_order": 30},
        {"customer_id": 4, "purchases": 1, "days_since_first_order": 31},
        {"customer_id": 5, "purchases": 2, "days_since_first_order": 10},
    )
    out = new_follow_up(f, DAY, cfg())
    assert picked(out) == [2, 3]
    assert "first purchase 7 days ago and no second yet" in out.iloc[0]["reason"]


def test_detractor_needs_a_low_recent_score():
    f = facts(
        {"customer_id": 1, "nps_score": 6, "nps_days_ago": 10},
        {"customer_id": 2, "nps_score": 7, "nps_days_ago": 10},
        {"customer_id": 3, "nps_score": 2, "nps_days_ago": 181},
        {"customer_id": 4},  # never answered
    )
    out = detractor(f, DAY, cfg())
    assert picked(out) == [1]
    assert out.iloc[0]["reason"] == "detractor: scored 6/10 10 days ago"


def test_silent_uses_the_voice_reason():
    f = facts(
        {"customer_id": 1, "silent_reason": "invited 3 times, never answered"},
        {"customer_id": 2},
    )
    out = silent(f, DAY, cfg())
    assert picked(out) == [1]
    assert out.iloc[0]["reason"] == "silent: invited 3 times, never answered"


def test_case_sla_due_within_the_warning_or_overdue():
    f = facts(
        {
            "customer_id": 1,
            "case_id": 7,
            "case_subject": "broken",
            "case_due_hours": 5,
            "case_due_kind": "first response",
        },
        {
            "customer_id": 2,
            "case_id": 8,
            "case_subject": "late",
            "case_due_hours": -3,
            "case_due_kind": "resolution",
        },
        {
            "customer_id": 3,
            "case_id": 9,
            "case_subject": "x",
            "case_due_hours": 25,
            "case_due_kind": "resolution",
        },
    )
    out = case_sla(f, DAY, cfg())
    assert picked(out) == [1, 2]
    reasons = dict(zip(out["customer_id"], out["reason"], strict=True))
    assert reasons[1] == "open case #7 'broken': first response due in 5 h"
    assert reasons[2] == "open case #8 'late': resolution overdue by 3 h"


def test_win_back_only_the_win_back_substage():
    f = facts(
        {
            "customer_id": 1,
            "stage": "inactive",
            "substage": "win_back",
            "days_since_last_order": 300,
            "expected_gap_days": 60,
        },
        {"customer_id": 2, "stage": "inactive", "substage": "do_not_contact"},
        {"customer_id": 3, "stage": "lapsed", "substage": "long_term"},
    )
    out = win_back(f, DAY, cfg())
    assert picked(out) == [1]
    assert "300 days ago, 5.0x the expected gap of 60 days" in out.iloc[0]["reason"]


def test_best_customer_is_a_top_value_promoter():
    # 20 buyers, top 5% = 1 customer (the most valuable) and he must be a promoter
    rows = [{"customer_id": i, "value_minor": 1000 * i, "nps_score": 10} for i in range(1, 21)]
    out = best_customer(facts(*rows), DAY, cfg())
    assert picked(out) == [20]
    rows[-1]["nps_score"] = 8  # the top customer is only passive
    assert best_customer(facts(*rows), DAY, cfg()).empty
    out = best_customer(facts(*rows), DAY, cfg(best_top_share=0.10))  # top 2
    assert picked(out) == [19]


def test_yearly_letter_in_its_month_to_the_top_n_without_a_letter():
    rows = [{"customer_id": i, "value_minor": 1000 * i} for i in range(1, 6)]
    rows[4]["letter_this_year"] = True  # number 1 got his letter already
    f = facts(*rows)
    assert yearly_letter(f, DAY, cfg(letter_top_n=3)).empty  # March, letters go in December
    out = yearly_letter(f, DAY, cfg(letter_top_n=3, letter_month=3))
    assert picked(out) == [3, 4]
    reasons = dict(zip(out["customer_id"], out["reason"], strict=True))
    assert reasons[4].startswith("yearly letter from the owner: number 2 of the top 3")


def test_every_rule_is_registered_and_run():
    assert set(RULES) == set(outreach_settings()["rules"])
    f = facts(
        {"customer_id": 1, "purchases": 1, "days_since_first_order": 10},
        {"customer_id": 2, "nps_score": 3, "nps_days_ago": 5},
    )
    out = run_rules(f, DAY, cfg())
    assert sorted(zip(out["customer_id"], out["rule"], strict=True)) == [
        (1, "new_follow_up"),
        (2, "detractor"),
    ]
    assert run_rules(f, DAY, cfg(rules=["win_back"])).empty


def test_rules_name_missing_facts():
    with pytest.raises(MissingColumnsError, match="nps_score"):
        run_rules(facts({"customer_id": 1}).drop(columns=["nps_score"]), DAY, cfg())


def test_settings_are_checked():
    with pytest.raises(ConfigError, match="unknown setting"):
        outreach_settings({"uplift_everything": 1})
    with pytest.raises(ConfigError, match="uplift_detractor"):
        outreach_settings({"uplift_detractor": 1.5})
    with pytest.raises(ConfigError, match="unknown rule"):
        outreach_settings({"rules": ["call_everyone"]})
    with pytest.raises(ConfigError, match="HH:MM-HH:MM"):
        outreach_settings({"quiet_hours": "9pm-8am"})


def test_rank_formula_and_order():
    """score = value (major units) x uplift / effort minutes, worked by hand."""
    f = facts(
        {"customer_id": 1, "value_minor": 100_000},  # 1000/yr
        {"customer_id": 2, "value_minor": 50_000},  # 500/yr
        {"customer_id": 3, "value_minor": 300_000},  # 3000/yr
    )
    cands = pd.DataFrame(
        [
            # 1000 x 0.30 / 10 min phone = 30
            {"customer_id": 1, "rule": "loyal_lapsing", "channel": "phone", "reason": "a"},
            # 500 x 0.20 / 2 min e-mail = 50
            {"customer_id": 2, "rule": "new_follow_up", "channel": "email", "reason": "b"},
            # 3000 x 0.05 / 2 min e-mail = 75
            {"customer_id": 3, "rule": "win_back", "channel": "email", "reason": "c"},
        ]
    ).assign(numbers=[{}, {}, {}])
    out = rank(cands, f, cfg())
    assert out["customer_id"].tolist() == [3, 2, 1]
    assert out["score"].tolist() == [75.0, 50.0, 30.0]
    assert out.iloc[2]["reason"] == (
        "a. Value 1,000/yr (past revenue; no stored CLV) x uplift 30% / 10 min by phone = 30"
    )
    assert out.iloc[2]["numbers"]["uplift"] == 0.30


def test_one_action_per_customer_the_best_one_and_the_others_named():
    f = facts({"customer_id": 1, "value_minor": 100_000})
    cands = pd.DataFrame(
        [
            {"customer_id": 1, "rule": "win_back", "channel": "email", "reason": "w"},  # 25
            {"customer_id": 1, "rule": "detractor", "channel": "phone", "reason": "d"},  # 25
            {"customer_id": 1, "rule": "silent", "channel": "email", "reason": "s"},  # 50
        ]
    ).assign(numbers=[{}, {}, {}])
    out = rank(cands, f, cfg())
    assert len(out) == 1
    assert out.iloc[0]["rule"] == "silent"
    assert out.iloc[0]["reason"].endswith("(also: win_back, detractor)")
    # a tie is broken by the order of the rules setting: detractor before win_back
    out = rank(cands.iloc[:2], f, cfg())
    assert out.iloc[0]["rule"] == "detractor"


def test_rank_drops_what_the_gate_refused_and_falls_back():
    f = facts({"customer_id": 1, "value_minor": 100_000})
    cands = pd.DataFrame(
        [
            {"customer_id": 1, "rule": "silent", "channel": "email", "reason": "s"},
            {"customer_id": 1, "rule": "detractor", "channel": "phone", "reason": "d"},
        ]
    ).assign(numbers=[{}, {}], allowed=[False, True])
    out = rank(cands, f, cfg())
    assert out["rule"].tolist() == ["detractor"]
