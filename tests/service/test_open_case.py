"""Opening cases: owner, priority, due times, audit events, idempotency per feedback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from casekit import T0

from retain.errors import InvalidInputError, NotFoundError
from retain.service import get_case, open_case
from retain.store import cases as db
from retain.store.schema import ClvFit, Customer, CustomerScore, Order


def test_open_case_goes_to_dedicated_rep_with_due_times_and_events(store, seed, policy):
    rep = seed.user("rita")
    seed.user("andy")
    cust = seed.customer("C-ADA", owner_id=rep, orders=[(5000, T0 - timedelta(days=30))])
    case_id = open_case(
        store,
        customer_id=cust,
        subject="Parcel arrived broken",
        source="complaint",
        actor="web",
        now=T0,
        policy=policy,
        loyal_orders=3,
    )
    case = get_case(store, case_id)
    assert case["owner"] == "rita"
    assert case["status"] == "open" and case["version"] == 1
    # the only buyer: no rank, one order -> no points
    assert case["priority"] == "normal"
    assert case["first_response_due_at"] == T0 + timedelta(hours=4)
    assert case["resolution_due_at"] == T0 + timedelta(hours=24)
    kinds = [(e["kind"], e["new_value"]) for e in case["events"]]
    assert kinds == [("created", "open"), ("priority", "normal"), ("assigned", "rita")]
    assert case["events"][2]["body"] == "the customer's dedicated rep"
    assert all(e["actor"] == "web" for e in case["events"])


def test_open_case_is_idempotent_per_feedback(store, seed, policy):
    seed.user("andy")
    cust = seed.customer()
    fb = seed.feedback(cust)
    first = open_case(
        store,
        customer_id=cust,
        subject="Score 2",
        source="detractor",
        feedback_id=fb,
        now=T0,
        policy=policy,
        loyal_orders=3,
    )
    again = open_case(
        store,
        customer_id=cust,
        subject="Score 2",
        source="detractor",
        feedback_id=fb,
        now=T0 + timedelta(hours=1),
        policy=policy,
        loyal_orders=3,
    )
    assert again == first
    with db.reading(store) as tx:
        assert len(tx.events(first)) == 3
    assert len(db.list_cases(store)) == 1


def test_round_robin_by_load_then_in_turn(store, seed, policy):
    andy = seed.user("andy")
    seed.user("bea")
    seed.user("carl", is_active=False)
    seed.user("vera", role="viewer")
    custs = [seed.customer() for _ in range(5)]
    owners = []
    for i, cust in enumerate(custs[:4]):
        cid = open_case(
            store,
            customer_id=cust,
            subject=f"case {i}",
            now=T0 + timedelta(minutes=i),
            policy=policy,
            loyal_orders=3,
        )
        owners.append(get_case(store, cid)["owner"])
    # equal loads take turns; the inactive agent and the viewer get nothing
    assert owners == ["andy", "bea", "andy", "bea"]
    # andy resolves both his: he now has the lowest load
    with db.transaction(store) as tx:
        for case in db.list_cases(store, owner="andy").itertuples():
            tx.update_case(case.id, case.version, {"status": "resolved"})
    cid = open_case(
        store,
        customer_id=custs[4],
        subject="next",
        now=T0 + timedelta(hours=1),
        policy=policy,
        loyal_orders=3,
    )
    assert get_case(store, cid)["owner_id"] == andy


def test_inactive_rep_falls_back_to_round_robin(store, seed, policy):
    gone = seed.user("gone", is_active=False)
    seed.user("andy")
    cust = seed.customer(owner_id=gone)
    case = get_case(
        store,
        open_case(store, customer_id=cust, subject="x", now=T0, policy=policy, loyal_orders=3),
    )
    assert case["owner"] == "andy"
    assert "dedicated rep gone is inactive" in case["events"][2]["body"]


def test_no_agents_leaves_case_unassigned(store, seed, policy):
    cust = seed.customer()
    case = get_case(
        store,
        open_case(store, customer_id=cust, subject="x", now=T0, policy=policy, loyal_orders=3),
    )
    assert case["owner_id"] is None
    assert "left unassigned" in case["events"][2]["body"]


def test_open_case_refuses_bad_input(store, seed, policy):
    cust = seed.customer()
    with pytest.raises(NotFoundError, match="customer 999"):
        open_case(store, customer_id=999, subject="x", now=T0, policy=policy, loyal_orders=3)
    with pytest.raises(InvalidInputError, match="needs a subject"):
        open_case(store, customer_id=cust, subject="  ", now=T0, policy=policy, loyal_orders=3)
    with pytest.raises(InvalidInputError, match="unknown case source 'fax'"):
        open_case(
            store,
            customer_id=cust,
            subject="x",
            source="fax",
            now=T0,
            policy=policy,
            loyal_orders=3,
        )
    with pytest.raises(NotFoundError, match="feedback 77"):
        open_case(
            store,
            customer_id=cust,
            subject="x",
            feedback_id=77,
            now=T0,
            policy=policy,
            loyal_orders=3,
        )
    with pytest.raises(InvalidInputError, match="no time zone"):
        open_case(store, customer_id=cust, subject="x", now=T0.replace(tzinfo=None))
    assert db.list_cases(store).empty


def test_priority_ranks_loyal_high_value_above_one_off(store, seed, policy):
    seed.user("andy")
    day = timedelta(days=1)
    small = [seed.customer(orders=[(1000 + i, T0 - 40 * day)]) for i in range(8)]
    big_loyal = seed.customer(orders=[(90000, T0 - k * 30 * day) for k in range(1, 5)])
    prospect = seed.customer()
    levels = {}
    for cust in (small[0], small[7], big_loyal, prospect):
        cid = open_case(store, customer_id=cust, subject="x", now=T0, policy=policy, loyal_orders=3)
        levels[cust] = get_case(store, cid)
    # 9 buyers: the loyal one is above all 8 others (rank 1.0): +2 value +1 loyal = urgent
    assert levels[big_loyal]["priority"] == "urgent"
    assert "top 10% by revenue (EUR 3,600.00)" in levels[big_loyal]["priority_reason"]
    assert levels[small[7]]["priority"] == "high"  # above 7 of 8 others (0.875)
    assert levels[small[0]]["priority"] == "normal"  # rank 0: one-off, lowest spend
    assert levels[prospect]["priority"] == "low"
    assert levels[prospect]["first_response_due_at"] == T0 + timedelta(hours=8)


def test_value_cut_offs_are_cached_until_a_new_order(store, seed, policy):
    seed.user("andy")
    month = timedelta(days=30)
    a = seed.customer(orders=[(1000, T0 - month)])
    b = seed.customer(orders=[(2000, T0 - month)])
    seed.customer(orders=[(3000, T0 - month)])
    first = open_case(store, customer_id=b, subject="x", now=T0, policy=policy, loyal_orders=3)
    assert get_case(store, first)["priority"] == "high"  # above 1 of the 2 others
    with db.reading(store) as tx:
        cached = tx.cached_value_cuts(T0 + timedelta(hours=1), "revenue")
        assert cached["buyers"] == 3 and cached["median_cut"] == 1000
        assert tx.cached_value_cuts(T0 + timedelta(days=2), "revenue") is None  # a day old: stale
    # a new order of A (now 6000 in all) makes the cache stale: B is below both others now
    seed.customer(orders=[])  # a prospect changes nothing
    with store.session() as s:
        s.add(
            Order(
                external_id="late",
                customer_id=a,
                ordered_at=T0,
                amount_minor=5000,
                currency="EUR",
                created_at=T0,
                updated_at=T0,
            )
        )
        s.commit()
    second = open_case(
        store,
        customer_id=b,
        subject="y",
        now=T0 + timedelta(minutes=5),
        policy=policy,
        loyal_orders=3,
    )
    assert get_case(store, second)["priority"] == "normal"


def test_case_for_a_merged_duplicate_goes_to_the_survivor(store, seed, policy):
    rep = seed.user("rita")
    survivor = seed.customer("C-MAIN", owner_id=rep)
    dup = seed.customer("C-DUP")
    with store.session() as s:
        s.get(Customer, dup).merged_into_id = survivor
        s.commit()
    case = get_case(
        store, open_case(store, customer_id=dup, subject="x", now=T0, policy=policy, loyal_orders=3)
    )
    assert (case["customer"], case["owner"]) == ("C-MAIN", "rita")


def test_stored_clv_scores_rank_before_revenue(store, seed, policy):
    seed.user("andy")
    month = timedelta(days=30)
    # by revenue the big spender is top; the CLV model sees the small one as worth most
    small = seed.customer(orders=[(1000, T0 - month), (1000, T0 - 2 * month)])
    big = seed.customer(orders=[(90000, T0 - 20 * month)])
    third = seed.customer(orders=[(5000, T0 - month)])
    with store.session() as s:
        fit = ClvFit(
            model="bgnbd",
            model_version="1",
            as_of=T0.date(),
            horizon_months=12,
            discount_rate=0.1,
            currency="EUR",
            params={},
            model_json="{}",
            log_likelihood=-1.0,
            customers=3,
            repeat_buyers=1,
            trust_level="low",
            trust_message="tiny",
            fitted_at=T0,
        )
        s.add(fit)
        s.flush()
        for cid, clv, alive in ((small, 80000, 0.9), (big, 500, 0.05), (third, 3000, 0.5)):
            s.add(
                CustomerScore(
                    fit_id=fit.id,
                    customer_id=cid,
                    model="bgnbd",
                    model_version="1",
                    as_of=T0.date(),
                    p_alive=alive,
                    expected_purchases=1.0,
                    horizon_months=12,
                    expected_spend_minor=1000,
                    clv_minor=clv,
                    currency="EUR",
                    fitted_at=T0,
                )
            )
        s.commit()
    got = {}
    for cid in (small, big):
        case = get_case(
            store,
            open_case(store, customer_id=cid, subject="x", now=T0, policy=policy, loyal_orders=3),
        )
        got[cid] = (case["priority"], case["priority_reason"])
    assert got[small] == ("high", "high (+2 points): top 10% by CLV (800.00) (+2)")
    assert got[big] == ("normal", "normal (+0 points): below the median by CLV (5.00) (0)")
