"""Themes found in the demo business's comments, and the low-effort flag."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from retain.demo import names
from retain.demo.generator import generate_business
from retain.voice import find_themes, flag_low_effort, is_low_effort, to_nps_scale
from retain.voice.text import phrases, stem


@pytest.fixture(scope="module")
def demo_feedback() -> pd.DataFrame:
    business = generate_business(3000, end=dt.date(2026, 1, 1), seed=11)
    f = business.feedback.copy()
    f["nps_score"] = [
        to_nps_scale(s, lo, hi) for s, lo, hi in zip(f.score, f.scale_min, f.scale_max, strict=True)
    ]
    return f


def _planted(comment: str) -> str | None:
    for theme, (_, _, wordings) in names.THEMES.items():
        if comment in wordings:
            return theme
    return None


def test_planted_themes_are_found(demo_feedback):
    _, mentions = find_themes(demo_feedback)
    planted = demo_feedback["comment"].map(_planted)
    assert planted.notna().sum() > 200
    found = {}
    for theme in names.THEMES:
        truth = set(planted[planted == theme].index)
        # the found theme that holds most of this planted theme's comments
        best, best_hits = None, 0
        for label, group in mentions.groupby("theme"):
            hits = len(truth & set(group["answer"]))
            if hits > best_hits:
                best, best_hits = label, hits
        held = set(mentions.loc[mentions["theme"] == best, "answer"])
        recall, precision = best_hits / len(truth), best_hits / len(held)
        assert recall >= 0.6, (theme, best, recall)
        assert precision >= 0.7, (theme, best, precision)
        found[theme] = best
    # five planted themes, five different found themes, named by their words
    assert len(set(found.values())) == len(names.THEMES)
    for theme, label in found.items():
        assert set(theme.split()) & set(label.split()), (theme, label)


def test_themes_are_ranked_by_nps_drag(demo_feedback):
    themes, _ = find_themes(demo_feedback)
    assert list(themes["nps_drag"]) == sorted(themes["nps_drag"])
    tone = {t: names.THEMES[t][1] for t in names.THEMES}
    top = themes.iloc[0]["theme"]
    bottom = themes.iloc[-1]["theme"]
    assert any(tone[t] == "bad" and set(t.split()) & set(top.split()) for t in tone)
    assert any(tone[t] == "good" and set(t.split()) & set(bottom.split()) for t in tone)
    # drag = NPS(all) - NPS(rest) = share * (NPS_theme - NPS_rest)
    row = themes.iloc[0]
    scores = demo_feedback["nps_score"]
    overall = 100 * ((scores >= 9).mean() - (scores <= 6).mean())
    assert row["nps_drag"] == pytest.approx(overall - row["nps_rest"])
    assert row["promoters"] + row["passives"] + row["detractors"] == row["mentions"]


def test_low_effort_comments_are_not_themes(demo_feedback):
    themes, mentions = find_themes(demo_feedback)
    low = demo_feedback["comment"].map(is_low_effort)
    assert low.sum() > 20
    assert not set(demo_feedback.index[low]) & set(mentions["answer"])
    assert not {"fine", "ok", "good"} & set(themes["theme"])


def test_small_hand_made_case():
    comments = pd.DataFrame(
        {
            "comment": [
                "Late delivery again.",
                "Delivery was late and nobody told me.",
                "late delivery",
                "The parcel arrived late",
                "Friendly staff",
                "The staff were very friendly.",
                "really friendly staff",
                "ok",
                "",
                None,
            ],
            "nps_score": [2, 3, 5, 6, 10, 9, 10, 8, 7, 9],
        }
    )
    themes, mentions = find_themes(comments, min_count=3)
    assert list(themes["theme"]) == ["late delivery", "friendly staff"]
    assert list(themes["mentions"]) == [4, 3]
    # all 10 answers: 4 promoters, 2 passives, 4 detractors -> NPS 0; without the late
    # delivery comments: 4 promoters, 2 passives of 6 -> 66.7; drag = -66.7
    assert themes.loc[0, "nps"] == -100
    assert themes.loc[0, "nps_drag"] == pytest.approx(-200 / 3)
    assert sorted(mentions.loc[mentions["theme"] == "friendly staff", "answer"]) == [4, 5, 6]


@pytest.mark.parametrize(
    ("comment", "low"),
    [
        ("fine", True),
        ("Fine.", True),
        ("OK", True),
        ("ok!!", True),
        ("good", True),
        ("all good", True),
        ("-", True),
        ("It was fine", True),
        ("ok I guess", True),
        ("no comment", True),
        ("", False),
        (None, False),
        ("great quality", False),
        ("Late delivery again.", False),
        ("fine but the delivery was late", False),
        ("good price", False),
    ],
)
def test_low_effort_flag(comment, low):
    assert is_low_effort(comment) is low


def test_flag_low_effort_column():
    frame = pd.DataFrame({"comment": ["fine", None, "Late delivery", "ok"]})
    assert list(flag_low_effort(frame)["low_effort"]) == [True, False, False, True]


def test_stems_and_phrases():
    assert [stem(w) for w in ("deliveries", "prices", "shipping", "delivered", "class")] == [
        "delivery",
        "price",
        "ship",
        "deliver",
        "class",
    ]
    found = dict(phrases("The website is hard to use, really."))
    assert found[frozenset({"hard", "use"})] == "hard to use"
    assert frozenset({"too"}) not in dict(phrases("too expensive"))
    assert dict(phrases("too expensive"))[frozenset({"too", "expensive"})] == "too expensive"
    # order does not matter for the key: "staff friendly" meets "friendly staff"
    assert frozenset({"friendly", "staff"}) in dict(phrases("staff were very friendly"))
