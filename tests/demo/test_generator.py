"""The demo business generator: reproducible, consistent with its ground truth, realistic."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from scipy.special import betaln, gammaln

from retain.demo import DemoBusiness, generate_business, write_business
from retain.demo.purchases import mbg_nbd_purchases
from retain.errors import InvalidInputError

END = dt.date(2026, 11, 26)
N = 2000


@pytest.fixture(scope="module")
def business() -> DemoBusiness:
    return generate_business(N, end=END, seed=11, duplicate_share=0.03)


def local_dates(stamps: pd.Series) -> pd.Series:
    """Calendar dates in the business time zone, as naive midnight timestamps."""
    return stamps.dt.tz_localize(None).dt.normalize()


def test_same_seed_gives_identical_frames_and_another_seed_does_not():
    one = generate_business(300, end=END, seed=3, duplicate_share=0.05)
    two = generate_business(300, end=END, seed=3, duplicate_share=0.05)
    other = generate_business(300, end=END, seed=4, duplicate_share=0.05)
    for kind in ("customers", "orders", "interactions", "feedback", "truth", "duplicate_pairs"):
        pd.testing.assert_frame_equal(getattr(one, kind), getattr(two, kind))
    assert one.params == two.params
    assert not one.orders["amount"].equals(other.orders["amount"])
    assert not one.customers["name"].equals(other.customers["name"])


def test_record_counts_and_ids(business):
    assert len(business.customers) == N
    assert business.customers["customer_id"].is_unique
    assert business.customers["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert business.orders["order_id"].str.fullmatch(r"O\d{7}").all()
    assert business.orders["order_id"].is_unique
    assert business.interactions["interaction_id"].is_unique
    assert business.feedback["feedback_id"].is_unique
    assert set(business.truth["customer_id"]) == set(business.customers["customer_id"])
    known = set(business.customers["customer_id"])
    for kind in ("orders", "interactions", "feedback"):
        assert set(getattr(business, kind)["customer_id"]) <= known
    # About 5% prospects who never buy.
    prospects = business.truth["is_prospect"]
    assert 0.03 < prospects.mean() < 0.07
    assert (business.truth.loc[prospects, "n_orders"] == 0).all()


def test_everything_happens_in_the_period_and_after_registration(business):
    start = pd.Timestamp(business.params["start"], tz="Europe/Berlin")
    end = pd.Timestamp(business.params["end"], tz="Europe/Berlin")
    assert business.params["end"] == END.isoformat()
    frames = {
        "customers": "created_at",
        "orders": "ordered_at",
        "interactions": "occurred_at",
        "feedback": "responded_at",
    }
    created = business.customers.set_index("customer_id")["created_at"]
    for kind, column in frames.items():
        stamps = getattr(business, kind)[column]
        assert str(stamps.dt.tz) == "Europe/Berlin"
        assert stamps.min() >= start, kind
        assert stamps.max() < end, kind
        if kind != "customers":
            registered = created.loc[getattr(business, kind)["customer_id"]].to_numpy()
            assert (stamps.to_numpy() >= registered).all(), kind
    after = (
        business.orders["ordered_at"].to_numpy()
        > created.loc[business.orders["customer_id"]].to_numpy()
    )
    assert after.all()


def test_snow_boots_are_bought_only_in_winter_by_seasonal_customers(business):
    orders = business.orders
    boots = orders["product_category"] == "Snow boots"
    assert boots.sum() > 50
    assert orders.loc[boots, "ordered_at"].dt.month.isin([11, 12, 1, 2]).all()
    seasonal = set(business.truth.loc[business.truth["seasonal"], "customer_id"])
    assert set(orders.loc[boots, "customer_id"]) <= seasonal
    assert (
        orders.loc[orders["customer_id"].isin(seasonal), "product_category"].eq("Snow boots").all()
    )
    # Mostly once per winter: per customer and winter, rarely two purchases.
    stamps = orders.loc[boots, "ordered_at"]
    winter = stamps.dt.year - (stamps.dt.month < 11)
    per_winter = orders.loc[boots].groupby([orders.loc[boots, "customer_id"], winter]).size()
    assert (per_winter == 1).mean() > 0.85


def test_orders_agree_with_the_ground_truth(business):
    truth = business.truth.set_index("customer_id")
    counts = business.orders.groupby("customer_id").size()
    assert (truth["n_orders"] == counts.reindex(truth.index, fill_value=0)).all()
    last = local_dates(business.orders.groupby("customer_id")["ordered_at"].max())
    people = truth[(truth["is_duplicate_of"] == "") & ~truth["is_prospect"]]
    dead = people[~people["alive_at_end"]]
    assert dead["dropout_at"].notna().all()
    assert people.loc[people["alive_at_end"], "dropout_at"].isna().all()
    # A dead customer buys nothing after he dropped out ...
    assert (last.loc[dead.index] <= dead["dropout_at"]).all()
    # ... and without a complaint, MBG/NBD drops him right after his last purchase.
    plain = dead[~dead["complained"]]
    assert (last.loc[plain.index] == plain["dropout_at"]).all()
    # Duplicates of dead customers do not buy after the original dropped out either.
    dups = truth[(truth["is_duplicate_of"] != "") & (truth["n_orders"] > 0)]
    original = truth.loc[dups["is_duplicate_of"]]
    gone = original["dropout_at"].to_numpy()
    bought = last.loc[dups.index].to_numpy()
    assert all(pd.isna(g) or b <= g for b, g in zip(bought, gone, strict=True))


def test_a_realistic_mix_of_one_off_and_loyal_buyers(business):
    buyers = business.truth.query("n_orders > 0 and not seasonal and is_duplicate_of == ''")
    one_off = (buyers["n_orders"] == 1).mean()
    loyal = (buyers["n_orders"] >= 5).mean()
    assert 0.25 < one_off < 0.6, one_off
    assert 0.1 < loyal < 0.45, loyal
    alive = business.truth.query("n_orders > 0 and is_duplicate_of == ''")["alive_at_end"].mean()
    assert 0.2 < alive < 0.8, alive


def test_amounts_are_positive_two_decimal_strings(business):
    orders = business.orders
    money = r"\d+\.\d{2}"
    for column in ("amount", "cost", "refunded_amount"):
        assert orders[column].str.fullmatch(money).all(), column
    amount = orders["amount"].astype(float)
    assert (amount > 0).all()
    assert (orders["currency"] == "EUR").all()
    cost = orders["cost"].astype(float)
    assert ((cost >= 0.39 * amount - 0.01) & (cost <= 0.61 * amount + 0.01)).all()
    refunded = orders["refunded_amount"].astype(float)
    full = orders["status"] == "refunded"
    part = orders["status"] == "partially_refunded"
    assert (refunded[full] == amount[full]).all()
    assert ((refunded[part] > 0) & (refunded[part] < amount[part])).all()
    assert (refunded[~full & ~part] == 0).all()
    assert set(orders["status"]) == {"paid", "refunded", "partially_refunded"}


def test_refund_shares_are_as_designed(business):
    # 3% refunded and 1% partially refunded of ~8,000 orders: binomial standard errors are
    # about 0.19 and 0.11 percentage points; the bounds allow five of them.
    n = len(business.orders)
    assert n > 5000
    status = business.orders["status"].value_counts(normalize=True)
    se_full, se_part = np.sqrt(0.03 * 0.97 / n), np.sqrt(0.01 * 0.99 / n)
    assert abs(status["refunded"] - 0.03) < 5 * se_full
    assert abs(status["partially_refunded"] - 0.01) < 5 * se_part


def test_spend_varies_around_each_customers_true_mean(business):
    # Order values average out to each customer's true mean spend: over customers with at
    # least 5 orders the ratio of observed to true mean is centred on 1.
    orders = business.orders.assign(value=business.orders["amount"].astype(float))
    observed = orders.groupby("customer_id")["value"].agg(["mean", "size"])
    truth = business.truth.set_index("customer_id")
    many = observed[observed["size"] >= 5]
    many = many[truth.loc[many.index, "is_duplicate_of"] == ""]
    ratio = many["mean"] / truth.loc[many.index, "mean_spend"]
    assert len(ratio) > 150
    assert 0.9 < ratio.median() < 1.1


def test_mean_purchase_rate_matches_the_gamma_prior(business):
    # lambda ~ Gamma(r, alpha) with r = 0.9 and alpha = 60 per day: mean r/alpha = 0.015 and
    # standard deviation sqrt(r)/alpha = 0.0158. Non-seasonal buyers are a selection that
    # does not depend on lambda, so their sample mean is within 4 standard errors of r/alpha
    # (a chance of about 1 in 16,000 of failing for an honest generator). Same for p ~ Beta.
    p = business.params["purchases"]
    regular = business.truth.query("not seasonal and not is_prospect and is_duplicate_of == ''")
    n = len(regular)
    r, alpha, a, b = p["r"], p["alpha"], p["a"], p["b"]
    assert (r, alpha, a, b) == (0.9, 60.0, 0.8, 4.0)
    se_lam = np.sqrt(r) / alpha / np.sqrt(n)
    assert abs(regular["lambda_per_day"].mean() - r / alpha) < 4 * se_lam
    sd_p = np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert abs(regular["p_drop"].mean() - a / (a + b)) < 4 * sd_p / np.sqrt(n)


def mbg_nbd_negative_log_likelihood(log_params, x, t_x, T) -> float:
    """MBG/NBD: Batislam, Denizel and Filiztekin (2007), IJRM 24(3), the likelihood of
    (x repeat purchases, last at t_x, observed for T) in the form of their equation (7)."""
    r, alpha, a, b = np.exp(log_params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    still = betaln(a, b + x + 1) - (r + x) * np.log(alpha + T)
    gone = betaln(a + 1, b + x) - (r + x) * np.log(alpha + t_x)
    return float(-(common + np.logaddexp(still, gone)).sum())


def fit_mbg_nbd(x, t_x, T):
    start = np.log([1.0, 50.0, 1.0, 3.0])
    result = minimize(mbg_nbd_negative_log_likelihood, start, args=(x, t_x, T), method="L-BFGS-B")
    return result


TRUE = np.log([0.9, 60.0, 0.8, 4.0])


def test_the_purchase_process_is_mbg_nbd_with_the_stated_parameters():
    # Purchases simulated by the generator's vectorised process, fitted by maximum
    # likelihood: under the true model 2 (LL_fit - LL_true) follows chi-square with 4 degrees
    # of freedom, whose 99.9% quantile is 18.47.
    rng = np.random.default_rng(2024)
    n = 20_000
    first = rng.uniform(0.0, 900.0, n)
    lam = rng.gamma(0.9, 1 / 60.0, n)
    p = rng.beta(0.8, 4.0, n)
    bought = mbg_nbd_purchases(rng, first, 1000.0, lam, p)
    x = np.bincount(bought.customer, minlength=n) - 1.0
    last = first.copy()
    np.maximum.at(last, bought.customer, bought.day)
    fit = fit_mbg_nbd(x, last - first, 1000.0 - first)
    assert fit.success
    ratio = 2 * (mbg_nbd_negative_log_likelihood(TRUE, x, last - first, 1000.0 - first) - fit.fun)
    assert ratio < 18.47
    # Alive means: no dropout drawn yet.
    assert (np.isnan(bought.dropout_day) == bought.alive).all()


def test_a_model_fitted_to_the_demo_orders_finds_the_true_rates():
    # The demo's daily order history (non-seasonal buyers) fitted by MBG/NBD: the mean rate
    # r/alpha and mean dropout a/(a+b) come out near the truth. At this size (8,800 buyers)
    # their relative standard errors, from the inverse Hessian, are about 1.9% and 4.6%;
    # complaints end some relationships early by design, which lowers the fitted rate by
    # 3-4%. The bounds allow that bias plus about 2.5 and 3 standard errors.
    business = generate_business(10_000, end=END, seed=2)
    truth = business.truth.set_index("customer_id")
    regular = truth.query("not seasonal and not is_prospect and is_duplicate_of == ''").index
    orders = business.orders[business.orders["customer_id"].isin(regular)]
    day = local_dates(orders["ordered_at"])
    per = day.groupby(orders["customer_id"]).agg(["min", "max", "nunique"])
    end = pd.Timestamp(business.params["end"])
    x = per["nunique"].to_numpy(float) - 1
    t_x = (per["max"] - per["min"]).dt.days.to_numpy(float)
    T = (end - per["min"]).dt.days.to_numpy(float)
    r, alpha, a, b = np.exp(fit_mbg_nbd(x, t_x, T).x)
    assert abs((r / alpha) / (0.9 / 60.0) - 1) < 0.08
    assert abs((a / (a + b)) / (0.8 / 4.8) - 1) < 0.15
    assert 0.6 < r < 1.2


def test_main_category_follows_the_purchase_rate(business):
    regular = business.truth.query("not seasonal and not is_prospect")
    by_category = regular.groupby("main_category")["lambda_per_day"].median()
    assert by_category["Coffee"] > by_category["Shoes"] > by_category["Furniture"]


def test_resolved_complaints_keep_customers(business):
    truth = business.truth.query("complained")
    assert 0.03 < len(truth) / (business.truth["n_orders"] > 0).sum() < 0.07
    kept = truth.groupby("complaint_resolved")["alive_at_end"].mean()
    assert kept[True] > kept[False] + 0.15
    complaints = business.interactions.query("kind == 'complaint'")
    assert set(complaints["customer_id"]) == set(truth["customer_id"])
    assert (complaints["direction"] == "inbound").all()
    resolved = business.interactions.query(
        "kind == 'follow_up' and note.str.startswith('resolved: ')"
    )
    assert set(resolved["customer_id"]) == set(truth.loc[truth["complaint_resolved"] == True,  # noqa: E712
                                                         "customer_id"])  # fmt: skip


def test_nps_answers_follow_the_customers_fate(business):
    feedback = business.feedback
    nps = feedback[feedback["kind"] == "nps"]
    assert set(nps["survey"]) == {"NPS 2024", "NPS 2025", "NPS 2026"}
    assert nps["score"].between(0, 10).all()
    assert ((nps["scale_min"] == 0) & (nps["scale_max"] == 10)).all()
    reviews = feedback[feedback["kind"] == "review"]
    assert len(reviews) > 30
    assert set(reviews["source"]) == {"google", "trustpilot"}
    assert reviews["score"].between(1, 5).all()
    assert (reviews["survey"] == "").all()
    truth = business.truth.set_index("customer_id")
    dies = ~truth.loc[nps["customer_id"], "alive_at_end"].to_numpy()
    detractor = nps["score"].to_numpy() <= 6
    assert detractor[dies].mean() > detractor[~dies].mean() + 0.2
    # About a quarter of the invited buyers answer, and there are more buyers every year.
    per_survey = nps.groupby("survey").size()
    assert per_survey.is_monotonic_increasing
    assert (per_survey > 0.01 * N).all() and (per_survey < 0.25 * N).all()


def test_planted_themes_are_in_the_comments(business):
    from retain.demo import names

    comments = business.feedback.merge(business.truth, on="customer_id")
    themed = comments[comments["planted_theme"] != ""]
    for theme, (category, _tone, wordings) in names.THEMES.items():
        mine = themed[themed["planted_theme"] == theme]
        voiced = mine[mine["comment"].isin(wordings)]
        assert len(voiced) >= 10, theme
        assert (voiced["category"] == category).all(), theme
    assert set(themed["planted_theme"]) == set(names.THEMES)
    low = business.feedback["comment"].isin(names.LOW_EFFORT_COMMENTS)
    assert low.sum() >= 20
    assert (business.feedback["comment"] == "").sum() > 0
    # Every comment is a known wording: a theme, a low-effort answer or nothing.
    known = {w for _, _, ws in names.THEMES.values() for w in ws}
    known |= set(names.LOW_EFFORT_COMMENTS) | {""}
    assert business.feedback["comment"].isin(known).all()


def test_duplicate_pairs_name_existing_customers_written_differently(business):
    pairs = business.duplicate_pairs
    assert list(pairs.columns) == ["customer_id_a", "customer_id_b"]
    assert len(pairs) == round(0.03 * N)
    customers = business.customers.set_index("customer_id")
    assert pairs["customer_id_a"].isin(customers.index).all()
    assert pairs["customer_id_b"].isin(customers.index).all()
    assert (pairs["customer_id_a"] != pairs["customer_id_b"]).all()
    a = customers.loc[pairs["customer_id_a"]].reset_index()
    b = customers.loc[pairs["customer_id_b"]].reset_index()
    assert (a["email"] != b["email"]).all()
    assert (a["name"] != b["name"]).all()
    assert (a["city"] == b["city"]).all()
    assert (b["created_at"] > a["created_at"]).all()
    digits = a["phone"].str.replace(r"\D", "", regex=True).str[-7:]
    assert (digits == b["phone"].str.replace(r"\D", "", regex=True).str[-7:]).all()
    truth = business.truth.set_index("customer_id")
    assert (truth.loc[pairs["customer_id_b"], "is_duplicate_of"].to_numpy() == pairs[
        "customer_id_a"
    ].to_numpy()).all()  # fmt: skip
    assert (truth.loc[pairs["customer_id_b"], "n_orders"] <= 2).all()
    assert (truth["is_duplicate_of"] != "").sum() == len(pairs)


def test_no_duplicates_unless_asked():
    business = generate_business(200, end=END, seed=1)
    assert business.duplicate_pairs.empty
    assert list(business.duplicate_pairs.columns) == ["customer_id_a", "customer_id_b"]
    assert (business.truth["is_duplicate_of"] == "").all()


HEADERS = {
    "customers": "customer_id,name,email,phone,company,birth_year,gender,profession,"
    "income_band,city,region,country,postal_code,acquisition_channel,email_consent,"
    "do_not_contact,do_not_contact_reason,created_at,tags",
    "orders": "order_id,customer_id,ordered_at,amount,currency,product_category,channel,cost,"
    "status,refunded_amount",
    "interactions": "interaction_id,customer_id,occurred_at,channel,direction,kind,note,by_whom",
    "feedback": "feedback_id,customer_id,source,kind,score,scale_min,scale_max,category,comment,"
    "responded_at,survey",
    "truth": "customer_id,lambda_per_day,p_drop,alive_at_end,dropout_at,mean_spend,"
    "main_category,seasonal,n_orders,complained,complaint_resolved,planted_theme,"
    "is_duplicate_of,is_prospect",
    "duplicate_pairs": "customer_id_a,customer_id_b",
}


def test_write_business_writes_the_files_with_exact_headers(tmp_path):
    business = generate_business(300, end=END, seed=5, duplicate_share=0.05)
    paths = write_business(business, tmp_path / "demo")
    assert set(paths) == {*HEADERS, "params"}
    names = {kind: path.name for kind, path in paths.items()}
    assert names == {
        "customers": "customers.csv",
        "orders": "orders.csv",
        "interactions": "interactions.csv",
        "feedback": "feedback.csv",
        "truth": "ground_truth.csv",
        "duplicate_pairs": "duplicate_pairs.csv",
        "params": "truth.json",
    }
    for kind, header in HEADERS.items():
        lines = paths[kind].read_text("utf-8").splitlines()
        assert lines[0] == header, kind
        assert len(lines) == len(getattr(business, kind)) + 1, kind
    params = json.loads(paths["params"].read_text("utf-8"))
    assert params["purchases"]["r"] == 0.9 and params["seed"] == 5
    orders = pd.read_csv(paths["orders"], dtype=str, keep_default_na=False)
    assert orders["ordered_at"].str.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00").all()
    assert orders["amount"].str.fullmatch(r"\d+\.\d{2}").all()
    assert orders["amount"].tolist() == business.orders["amount"].tolist()
    customers = pd.read_csv(paths["customers"], dtype=str, keep_default_na=False)
    assert set(customers["email_consent"]) == {"true", "false"}
    assert set(customers["country"]) <= {"DE", "AT", "CH", "NL"}
    truth = pd.read_csv(paths["truth"], dtype=str, keep_default_na=False)
    dropout = truth["dropout_at"]
    assert dropout[dropout != ""].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert set(truth["complaint_resolved"]) <= {"true", "false", ""}
    # Winter and summer offsets both appear (Europe/Berlin keeps daylight saving time).
    assert orders["ordered_at"].str.endswith("+01:00").any()
    assert orders["ordered_at"].str.endswith("+02:00").any()


def test_customers_look_like_people(business):
    customers = business.customers
    assert customers["email"].str.fullmatch(r"[^@\s]+@[a-z.]+\.(com|net|org)", case=False).all()
    assert customers.loc[business.truth["is_duplicate_of"].eq("").to_numpy()]["email"].is_unique
    assert 0.75 < customers["email_consent"].mean() < 0.85
    assert 0.01 < customers["do_not_contact"].mean() < 0.035
    dnc = customers["do_not_contact"]
    assert (customers.loc[dnc, "do_not_contact_reason"] != "").all()
    assert (customers.loc[~dnc, "do_not_contact_reason"] == "").all()
    phones = customers.loc[customers["phone"] != "", "phone"]
    assert phones.str.fullmatch(r"[+0-9 /]{9,}").all()
    assert customers["birth_year"].dropna().between(1930, 2010).all()
    assert customers["created_at"].is_monotonic_increasing
    # More customers are acquired late in the period than early.
    halfway = customers["created_at"].min() + (customers["created_at"].max() - customers[
        "created_at"
    ].min()) / 2  # fmt: skip
    assert (customers["created_at"] > halfway).mean() > 0.55
    assert re.fullmatch(r"C\d+", customers["customer_id"].iloc[0])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_customers": 0}, "n_customers must be between 1"),
        ({"duplicate_share": 0.8}, "duplicate_share must be between 0 and 0.5"),
        ({"currency": "eur"}, "currency must be a three-letter ISO 4217 code"),
        ({"years": 0}, "years must be between"),
        ({"end": "2026-11-26"}, "end must be a date"),
    ],
)
def test_bad_arguments_say_what_to_do(arguments, message):
    kwargs = {"n_customers": 10, "end": END} | arguments
    with pytest.raises(InvalidInputError, match=message):
        generate_business(**kwargs)


@pytest.mark.parametrize(
    "arguments",
    [
        {"n_customers": 1},
        {"n_customers": 10, "duplicate_share": 0.5},
        {"n_customers": 200, "years": 0.3, "end": dt.date(2026, 7, 1)},
        {"n_customers": 300, "years": 10.0, "end": dt.date(2026, 3, 1)},
    ],
)
def test_tiny_short_and_long_businesses(arguments):
    business = generate_business(**({"end": END} | arguments))
    assert len(business.customers) == arguments["n_customers"]
    end = pd.Timestamp(business.params["end"], tz="Europe/Berlin")
    assert (business.orders["ordered_at"] < end).all()
    boots = business.orders["product_category"] == "Snow boots"
    assert business.orders.loc[boots, "ordered_at"].dt.month.isin([11, 12, 1, 2]).all()
    assert len(business.duplicate_pairs) == round(
        arguments["n_customers"] * arguments.get("duplicate_share", 0)
    )
