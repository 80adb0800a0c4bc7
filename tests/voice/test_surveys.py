"""Surveys, invitations, survey fatigue, signed links and answers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import func, select

from retain.errors import ConfigError, ConflictError, InvalidInputError, NotFoundError
from retain.store.schema import Feedback, SurveyInvitation
from retain.voice import (
    RateLimiter,
    SurveyLinkError,
    create_survey,
    export_invitations,
    invitation_link_token,
    invitation_table,
    invite,
    response_rates,
    submit_open_response,
    submit_response,
    verify_open_key,
    verify_token,
)

from .conftest import NOW, SECRET, add_customers


def _feedback_rows(store):
    with store.read() as conn:
        return conn.execute(select(Feedback.__table__).order_by(Feedback.id)).mappings().all()


def test_create_survey_and_defaults(store, now):
    sid = create_survey(store, "NPS 2026", now=now, categories=["Service", "Product"])
    rates = response_rates(store)
    assert rates.loc[0, "name"] == "NPS 2026" and rates.loc[0, "kind"] == "nps"
    assert rates.loc[0, "invited"] == 0 and pd.isna(rates.loc[0, "response_rate"])
    with pytest.raises(ConflictError, match="exists already"):
        create_survey(store, "NPS 2026", now=now)
    with pytest.raises(InvalidInputError, match="nps or csat"):
        create_survey(store, "x", now=now, kind="ces")
    with pytest.raises(InvalidInputError, match="distinct"):
        create_survey(store, "y", now=now, categories=["A", "A"])
    assert sid > 0


def test_invite_respects_do_not_contact_consent_and_recontact_window(store, now):
    ids = add_customers(
        store,
        6,
        do_not_contact=lambda k: k == 2,
        email_consent=lambda k: False if k == 3 else None,
    )
    first = create_survey(store, "CSAT Q4", kind="csat", now=now - timedelta(days=60))
    # c4 was invited 60 days ago: inside the 90-day recontact window
    old = invite(store, first, now=now - timedelta(days=60), secret=SECRET, customer_ids=[ids[3]])
    assert [i.customer_id for i in old] == [ids[3]]
    sid = create_survey(store, "NPS 2026", now=now)
    invs = invite(store, sid, now=now, secret=SECRET)
    assert sorted(i.customer_id for i in invs) == [ids[0], ids[4], ids[5]]
    assert all(i.expires_at == now + timedelta(days=30) for i in invs)
    assert len({i.token for i in invs}) == 3
    # past the window c4 may be invited; nobody is invited twice to the same survey
    again = invite(store, sid, now=now + timedelta(days=200), secret=SECRET)
    assert [i.customer_id for i in again] == [ids[3]]


def test_invite_again_only_adds_new_people(store, now):
    ids = add_customers(store, 3)
    sid = create_survey(store, "NPS", now=now)
    assert len(invite(store, sid, now=now, secret=SECRET)) == 3
    later = now + timedelta(days=200)  # past the recontact window, but same survey
    assert invite(store, sid, now=later, secret=SECRET) == []
    new = add_customers(store, 1, external_id="late", email="late@example.com")
    assert [i.customer_id for i in invite(store, sid, now=later, secret=SECRET)] == new
    assert len(ids) == 3


def test_sample_is_random_but_repeatable(store, now):
    add_customers(store, 50)
    a = create_survey(store, "A", now=now)
    b = create_survey(store, "B", now=now)
    first = invite(store, a, now=now, sample=10, seed=7, secret=SECRET, recontact_days=0)
    second = invite(store, b, now=now, sample=10, seed=7, secret=SECRET, recontact_days=0)
    assert len(first) == 10
    assert [i.customer_id for i in first] == [i.customer_id for i in second]
    c = create_survey(store, "C", now=now)
    assert len(invite(store, c, now=now, sample=0.2, seed=1, secret=SECRET, recontact_days=0)) == 10
    with pytest.raises(InvalidInputError, match="sample"):
        invite(store, c, now=now, sample=-1, secret=SECRET)


def test_weak_secret_is_refused_before_writing(store, now):
    add_customers(store, 2)
    sid = create_survey(store, "NPS", now=now)
    with pytest.raises(ConfigError, match="RETAIN_SECRET_KEY"):
        invite(store, sid, now=now, secret="short")
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(SurveyInvitation)).scalar_one() == 0


def test_answer_then_answer_again_updates_the_same_row(store, now):
    (cid,) = add_customers(store, 1)
    sid = create_survey(store, "NPS", now=now, categories=["Service", "Product"])
    (inv,) = invite(store, sid, now=now, secret=SECRET)
    ctx = verify_token(store, inv.token, secret=SECRET, now=now)
    assert ctx.customer_id == cid and ctx.answer is None and ctx.survey.scale_max == 10
    fid = submit_response(
        store,
        inv.token,
        score=8,
        comment="  Friendly staff  ",
        category_scores={"Service": 9},
        secret=SECRET,
        now=now + timedelta(hours=1),
    )
    again = submit_response(
        store,
        inv.token,
        score=10,
        comment="even better",
        secret=SECRET,
        now=now + timedelta(days=2),
    )
    assert again == fid
    rows = _feedback_rows(store)
    assert len(rows) == 1
    row = rows[0]
    assert row["external_id"] == f"survey:{inv.id}" and row["invitation_id"] == inv.id
    assert (int(row["score"]), row["nps_score"], row["comment"]) == (10, 10, "even better")
    assert row["customer_id"] == cid and row["source"] == "survey"
    ctx = verify_token(store, inv.token, secret=SECRET, now=now + timedelta(days=3))
    assert ctx.answer["score"] == 10 and ctx.answered_at == now + timedelta(days=2)
    assert response_rates(store).loc[0, "response_rate"] == 1.0


def test_tampered_expired_and_other_survey_tokens_are_refused(store, now):
    add_customers(store, 2)
    a = create_survey(store, "A", now=now)
    b = create_survey(store, "B", now=now)
    (ia, _) = invite(store, a, now=now, secret=SECRET, expires_in_days=7, recontact_days=0)
    ib = invite(store, b, now=now, secret=SECRET, recontact_days=0)[0]
    tampered = ia.token[:-2] + ("AA" if ia.token[-2:] != "AA" else "BB")
    for token in (tampered, "", "not-a-token", ia.token + "x"):
        with pytest.raises(SurveyLinkError) as err:
            submit_response(store, token, score=9, secret=SECRET, now=now)
        assert err.value.reason == "tampered" and err.value.status == 403
    with pytest.raises(SurveyLinkError, match="not valid"):
        verify_token(store, ia.token, secret="another-secret-0123456789", now=now)
    # a valid token of survey B presented on survey A's page
    with pytest.raises(SurveyLinkError) as err:
        submit_response(store, ib.token, score=9, secret=SECRET, now=now, survey_id=a)
    assert err.value.reason == "wrong_survey"
    # a forged token naming survey B with A's nonce cannot be signed without the secret;
    # signed with the secret but pointing at the wrong survey it is refused too
    nonce = _nonce_of(store, ia.id)
    forged = invitation_link_token(b, nonce, secret=SECRET)
    with pytest.raises(SurveyLinkError) as err:
        verify_token(store, forged, secret=SECRET, now=now)
    assert err.value.reason == "tampered"
    with pytest.raises(SurveyLinkError) as err:
        submit_response(store, ia.token, score=9, secret=SECRET, now=now + timedelta(days=7))
    assert err.value.reason == "expired"
    assert _feedback_rows(store) == []


def _nonce_of(store, invitation_id):
    with store.read() as conn:
        return conn.execute(
            select(SurveyInvitation.nonce).where(SurveyInvitation.id == invitation_id)
        ).scalar_one()


@pytest.mark.parametrize("score", [11, -1, 7.5, "10; drop table", None, True, float("inf")])
def test_scores_outside_the_scale_are_refused(store, now, score):
    add_customers(store, 1)
    sid = create_survey(store, "NPS", now=now)
    (inv,) = invite(store, sid, now=now, secret=SECRET)
    with pytest.raises(InvalidInputError, match=r"whole number 0\.\.10"):
        submit_response(store, inv.token, score=score, secret=SECRET, now=now)
    assert _feedback_rows(store) == []


def test_csat_scale_and_category_scores_are_checked(store, now):
    add_customers(store, 1)
    sid = create_survey(store, "CSAT", kind="csat", now=now, categories=["Support"])
    (inv,) = invite(store, sid, now=now, secret=SECRET)
    with pytest.raises(InvalidInputError, match=r"1\.\.5"):
        submit_response(store, inv.token, score=0, secret=SECRET, now=now)
    with pytest.raises(InvalidInputError, match="unknown category Delivery"):
        submit_response(
            store, inv.token, score=4, category_scores={"Delivery": 4}, secret=SECRET, now=now
        )
    with pytest.raises(InvalidInputError, match="score of Support"):
        submit_response(
            store, inv.token, score=4, category_scores={"Support": 6}, secret=SECRET, now=now
        )
    submit_response(
        store, inv.token, score=4, category_scores={"Support": 5}, secret=SECRET, now=now
    )
    (row,) = _feedback_rows(store)
    assert (row["kind"], row["score_min"], row["score_max"], row["nps_score"]) == ("csat", 1, 5, 8)
    assert row["category_scores"] == {"Support": 5}


def test_closed_survey_refuses_answers(store, now):
    add_customers(store, 1)
    sid = create_survey(store, "NPS", now=now, closes_at=now + timedelta(days=5))
    (inv,) = invite(store, sid, now=now, secret=SECRET)
    assert inv.expires_at == now + timedelta(days=5)  # never past the survey's close
    with pytest.raises(SurveyLinkError) as err:
        submit_response(store, inv.token, score=9, secret=SECRET, now=now + timedelta(days=6))
    assert err.value.reason in ("expired", "closed")


def test_open_link_answers_are_anonymous_and_separate(store, now):
    sid = create_survey(store, "Open NPS", now=now, open_link=True)
    assert create_survey(store, "Closed NPS", now=now) != sid
    key = _open_key(store, sid)
    assert verify_open_key(store, key, now=now).id == sid
    f1 = submit_open_response(store, key, score=9, comment="great quality", now=now)
    f2 = submit_open_response(store, key, score=3, now=now)
    assert f1 != f2
    rows = _feedback_rows(store)
    assert [r["customer_id"] for r in rows] == [None, None]
    assert all(r["external_id"].startswith("open:") and r["source"] == "open_link" for r in rows)
    for bad in ("", "nope", key + "x"):
        with pytest.raises(SurveyLinkError):
            submit_open_response(store, bad, score=9, now=now)
    with pytest.raises(InvalidInputError):
        submit_open_response(store, key, score=12, now=now)


def _open_key(store, sid):
    from retain.store.schema import Survey

    with store.read() as conn:
        return conn.execute(select(Survey.open_link_key).where(Survey.id == sid)).scalar_one()


def test_export_invitations_csv(store, now, tmp_path):
    add_customers(store, 2)
    sid = create_survey(store, "NPS", now=now)
    invs = invite(store, sid, now=now, secret=SECRET)
    table = invitation_table(store, sid, secret=SECRET, base_url="https://shop.example/")
    assert list(table["token"]) == [i.token for i in invs]
    assert table.loc[0, "link"] == f"https://shop.example/r/{invs[0].token}"
    out = export_invitations(table, tmp_path / "inv.csv")
    back = pd.read_csv(out)
    assert list(back.columns) == [
        "invitation_id", "customer_id", "email", "name", "token", "link",
        "invited_at", "expires_at", "answered_at",
    ]  # fmt: skip
    assert list(back["email"]) == ["c1@example.com", "c2@example.com"]
    assert back["answered_at"].isna().all()


def test_unknown_survey(store, now):
    with pytest.raises(NotFoundError, match="retain surveys list"):
        invite(store, 99, now=now, secret=SECRET)


def test_rate_limiter():
    rl = RateLimiter(limit=2, window_seconds=10)
    assert rl.allow("1.2.3.4", 0) and rl.allow("1.2.3.4", 1)
    assert not rl.allow("1.2.3.4", 2)
    assert rl.allow("5.6.7.8", 2)
    assert rl.allow("1.2.3.4", 10.5)  # the first event left the window
    assert NOW.tzinfo is not None


def test_two_simultaneous_answers_of_one_link_make_one_row(store, now):
    import threading

    add_customers(store, 1)
    sid = create_survey(store, "NPS", now=now)
    (inv,) = invite(store, sid, now=now, secret=SECRET)
    ids, errors = [], []
    barrier = threading.Barrier(4)

    def answer(score):
        barrier.wait()
        try:
            ids.append(submit_response(store, inv.token, score=score, secret=SECRET, now=now))
        except Exception as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(s,)) for s in (9, 10, 8, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(ids)) == 1 and len(ids) == 4
    (row,) = _feedback_rows(store)
    assert int(row["score"]) in (7, 8, 9, 10)


def test_mark_invitations_sent(store, now):
    from retain.voice import mark_invitations_sent

    add_customers(store, 2)
    sid = create_survey(store, "NPS", now=now)
    a, b = invite(store, sid, now=now, secret=SECRET)
    assert mark_invitations_sent(store, [a.id], now=now, channel="email") == 1
    assert mark_invitations_sent(store, [a.id, b.id], now=now + timedelta(hours=1)) == 1
    table = invitation_table(store, sid, secret=SECRET)
    assert table["invitation_id"].tolist() == [a.id, b.id]
    with store.read() as conn:
        rows = conn.execute(
            select(SurveyInvitation.sent_at, SurveyInvitation.channel).order_by(SurveyInvitation.id)
        ).all()
    assert rows == [(now, "email"), (now + timedelta(hours=1), "email")]
