"""The closed loop: detractors and bad reviews open exactly one case, once."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from retain.store import voice as db
from retain.store.schema import Case
from retain.voice import close_loop, create_survey, invite, review_candidates, submit_response

from .conftest import SECRET, add_customers


def _cases(store):
    with store.read() as conn:
        return conn.execute(select(Case.__table__).order_by(Case.id)).mappings().all()


def test_detractor_opens_exactly_one_case_even_if_resubmitted(store, now):
    (cid,) = add_customers(store, 1)
    sid = create_survey(store, "NPS 2026", now=now, categories=["Service", "Delivery"])
    (inv,) = invite(store, sid, now=now, secret=SECRET)
    fid = submit_response(
        store,
        inv.token,
        score=3,
        comment="Late delivery again.",
        category_scores={"Service": 7, "Delivery": 1},
        secret=SECRET,
        now=now,
    )
    for k in range(1, 3):  # re-submitted, still a detractor
        later = now + timedelta(hours=k)
        submit_response(store, inv.token, score=2, comment="still late", secret=SECRET, now=later)
    assert close_loop(store, [fid], now=now + timedelta(hours=5)) == {fid: _cases(store)[0]["id"]}
    (case,) = _cases(store)
    assert case["customer_id"] == cid and case["feedback_id"] == fid
    assert case["source"] == "detractor"
    assert case["subject"] == "Detractor (3/10) in 'NPS 2026'"
    assert "Late delivery again." in case["description"]
    assert case["category"] == "Delivery"  # the worst-scored category


def test_passive_and_promoter_open_no_case(store, now):
    add_customers(store, 2)
    sid = create_survey(store, "NPS", now=now)
    a, b = invite(store, sid, now=now, secret=SECRET)
    submit_response(store, a.token, score=7, comment="fine", secret=SECRET, now=now)
    submit_response(store, b.token, score=10, comment="great quality", secret=SECRET, now=now)
    assert _cases(store) == []


def test_csat_of_two_or_less_is_a_detractor(store, now):
    add_customers(store, 2)
    sid = create_survey(store, "CSAT", kind="csat", now=now)
    a, b = invite(store, sid, now=now, secret=SECRET)
    submit_response(store, a.token, score=2, secret=SECRET, now=now)
    submit_response(store, b.token, score=3, secret=SECRET, now=now)
    (case,) = _cases(store)
    assert case["customer_id"] == a.customer_id and case["subject"].startswith("Detractor (2/5)")


def test_imported_bad_reviews_open_cases(store, now, tmp_path):
    from retain.config import Settings
    from retain.ingest import import_file

    add_customers(store, 3)
    path = tmp_path / "reviews.csv"
    path.write_text(
        "review_id,email,source,rating,comment,date\n"
        "g1,c1@example.com,google,1,Website hard to use,2026-03-01\n"
        "g2,c2@example.com,google,2,too expensive,2026-03-02\n"
        "g3,c3@example.com,trustpilot,3,ok,2026-03-03\n"
        "g4,c1@example.com,google,5,great quality,2026-03-04\n"
        "g5,nobody@example.com,google,1,awful,2026-03-05\n"
        "g6,c3@example.com,google,1,old news,2024-01-05\n",
        encoding="utf-8",
    )
    report = import_file(store, "feedback", path, settings=Settings())
    opened = close_loop(store, import_batch_id=report.batch_id, now=now, max_age_days=30)
    cases = _cases(store)
    assert len(opened) == len(cases) == 2
    assert {c["source"] for c in cases} == {"bad_review"}
    assert [c["subject"] for c in cases] == [
        "Bad review (1/5) on google",
        "Bad review (2/5) on google",
    ]
    # running the loop again opens nothing new
    again = close_loop(store, import_batch_id=report.batch_id, now=now, max_age_days=30)
    assert again == opened and len(_cases(store)) == 2


def test_review_candidates_are_recent_promoters_without_a_review(store, now):
    add_customers(store, 3)
    sid = create_survey(store, "NPS", now=now)
    a, b, c = invite(store, sid, now=now, secret=SECRET)
    submit_response(store, a.token, score=10, comment="great", secret=SECRET, now=now)
    submit_response(store, b.token, score=9, secret=SECRET, now=now)
    submit_response(store, c.token, score=8, secret=SECRET, now=now)
    frame = db.feedback_frame(store)
    # b already left a review after answering
    review = {
        **frame.iloc[1].to_dict(),
        "id": 99,
        "kind": "review",
        "responded_at": pd.Timestamp(now + timedelta(days=1)),
    }
    frame = pd.concat([frame, pd.DataFrame([review])], ignore_index=True)
    out = review_candidates(frame, as_of=now + timedelta(days=2))
    assert list(out["customer_id"]) == [a.customer_id]
    assert review_candidates(frame, as_of=now + timedelta(days=200)).empty


@pytest.mark.parametrize(
    ("kind", "score", "lo", "hi", "nps_score", "expected"),
    [
        ("nps", 6, 0, 10, 6, "detractor"),
        ("nps", 7, 0, 10, 7, None),
        ("review", 2, 1, 5, 3, "bad_review"),
        ("review", 3, 1, 5, 5, None),
        ("review", 2.5, 0, 10, 3, "bad_review"),
        ("review", 3, 0, 10, 3, None),
    ],
)
def test_follow_up_rule(kind, score, lo, hi, nps_score, expected):
    from retain.voice import follow_up_source

    row = {"kind": kind, "score": score, "score_min": lo, "score_max": hi, "nps_score": nps_score}
    assert follow_up_source(row) == expected
