"""Importing files into the store: values, errors, idempotency, atomicity, known exports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from retain.errors import ImportRejectedError
from retain.store.queries import record_counts
from retain.store.schema import Customer, Feedback, ImportBatch, Interaction, Order

ORDERS = """order_id,customer_id,email,ordered_at,amount,currency,product_category
O1,C1,Ada@Example.com,2024-01-05 10:00,49.90,EUR,Shoes
O2,C1,ada@example.com,2024-07-05T10:00:00+02:00,"1,200.00",EUR,Shoes
O3,,bob@example.com,2024-04-01,1200,JPY,Coffee
"""


def problems_of(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_orders_are_stored_exactly(store, write, run):
    report = run("orders", write("orders.csv", ORDERS))
    assert (report.inserted, report.updated, report.unchanged) == (3, 0, 0)
    assert report.customers_created == 2  # C1 by id, bob by e-mail only
    with store.session(write=False) as s:
        orders = {o.external_id: o for o in s.scalars(select(Order))}
        customers = {c.external_id: c for c in s.scalars(select(Customer))}
    # a time without zone is in the business zone (Berlin, UTC+1 in winter)
    assert orders["O1"].ordered_at == datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    assert orders["O2"].ordered_at == datetime(2024, 7, 5, 8, 0, tzinfo=UTC)
    assert orders["O1"].amount_minor == 4990
    assert orders["O2"].amount_minor == 120000
    assert orders["O3"].amount_minor == 1200 and orders["O3"].currency == "JPY"  # yen: no cents
    assert set(customers) == {"C1", "bob@example.com"}
    assert customers["C1"].email == "ada@example.com"
    assert orders["O3"].customer_id == customers["bob@example.com"].id
    assert all(o.status == "paid" for o in orders.values())


def test_import_twice_changes_nothing(store, write, run, snapshot):
    path = write("orders.csv", ORDERS)
    run("orders", path)
    before = snapshot(store)
    again = run("orders", path)
    assert (again.inserted, again.updated, again.unchanged, again.customers_created) == (0, 0, 3, 0)
    assert snapshot(store) == before
    counts = record_counts(store)
    assert (counts["orders"], counts["customers"], counts["import_batches"]) == (3, 2, 2)


def test_changed_row_updates_its_record(store, write, run):
    run("orders", write("orders.csv", ORDERS))
    changed = ORDERS.replace("49.90,EUR,Shoes", "59.90,EUR,Boots")
    report = run("orders", write("orders2.csv", changed))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 2)
    with store.session(write=False) as s:
        o1 = s.scalars(select(Order).where(Order.external_id == "O1")).one()
        batches = s.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    assert (o1.amount_minor, o1.product_category) == (5990, "Boots")
    assert o1.import_batch_id == batches[-1].id
    assert (batches[-1].rows_read, batches[-1].rows_updated) == (3, 1)
    assert len(batches[-1].checksum) == 64


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ("O9,C1,,2024-13-45,10.00,EUR,", "ordered_at", "2024-13-45", "unparseable date"),
        ("O9,C1,,2024-01-01,-5.00,EUR,", "amount", "-5.00", "negative amount"),
        ("O9,C1,,2024-01-01,ten,EUR,", "amount", "ten", "not a number"),
        ("O9,C1,,2024-01-01,10.00,EUX,", "currency", "EUX", "unknown currency code"),
        ("O9,C1,,2024-01-01,10.001,EUR,", "amount", "10.001", "more than 2 decimals"),
        (
            "O9,C1,not-an-email,2024-01-01,10.00,EUR,",
            "email",
            "not-an-email",
            "not a valid e-mail address",
        ),
        ("O1,C1,,2024-01-01,10.00,EUR,", "order_id", "O1", "duplicate id inside the file"),
        ("O9,,,2024-01-01,10.00,EUR,", "customer_id", "", "no customer"),
        (",C1,,2024-01-01,10.00,EUR,", "order_id", "", "required value is empty"),
    ],
)
def test_each_bad_value_is_named(store, write, run, row, column, value, reason):
    path = write("bad.csv", ORDERS + row + "\n")
    with pytest.raises(ImportRejectedError) as excinfo:
        run("orders", path)
    problem = excinfo.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        str(path),
        5,
        column,
        value,
    )
    assert reason in problem.reason
    assert f"{path}, row 5, column {column!r}" in excinfo.value.message
    assert "nothing was written" in excinfo.value.message
    assert record_counts(store)["orders"] == 0


def test_missing_required_column(store, write, run):
    path = write("nodate.csv", "order_id,customer_id,amount\nO1,C1,10\n")
    with pytest.raises(ImportRejectedError) as excinfo:
        run("orders", path)
    assert "'ordered_at': required column missing for orders" in excinfo.value.message
    assert "--map SOURCE=ordered_at" in excinfo.value.message


def test_map_option_and_bad_map(store, write, run):
    path = write("custom.csv", "Bestellnr;Kunde;Datum;Betrag\nB1;K1;2024-02-01;12,50\n")
    report = run(
        "orders",
        path,
        mapping={
            "Bestellnr": "order_id",
            "Kunde": "customer_id",
            "Datum": "ordered_at",
            "Betrag": "amount",
        },
    )
    assert report.inserted == 1
    with store.session(write=False) as s:
        assert s.scalars(select(Order.amount_minor)).one() == 1250
    with pytest.raises(ImportRejectedError) as excinfo:
        run("orders", path, mapping={"Nope": "order_id"})
    assert "--map names a column the file does not have" in excinfo.value.message


def test_bad_row_late_in_large_file_leaves_store_as_before(store, write, run, snapshot):
    run("orders", write("first.csv", ORDERS))
    before = snapshot(store)
    lines = ["order_id,customer_id,ordered_at,amount"]
    lines += [f"N{i},C{i % 500},2024-03-01 12:00,{i % 90 + 1}.50" for i in range(20_000)]
    lines.append("N_last,C1,2024-03-01 12:00,oops")
    with pytest.raises(ImportRejectedError) as excinfo:
        run("orders", write("large.csv", "\n".join(lines) + "\n"))
    assert excinfo.value.problems[0].row == 20_002
    assert snapshot(store) == before
    assert record_counts(store)["import_batches"] == 1


def test_skip_bad_imports_good_rows_and_writes_rejects(store, write, run, tmp_path):
    path = write("mixed.csv", ORDERS + "O8,C2,,yesterday,5,EUR,\nO9,C2,,2024-01-01,7,EUR,\n")
    report = run("orders", path, skip_bad=True)
    assert (report.inserted, report.rows_rejected) == (4, 1)
    rejected = (tmp_path / "mixed.rejected.csv").read_text().splitlines()
    assert (
        rejected[0] == "row,order_id,customer_id,email,ordered_at,amount,currency,"
        "product_category,problems"
    )
    assert rejected[1].startswith('5,O8,C2,,yesterday,5,EUR,,"ordered_at: unparseable date')
    assert len(rejected) == 2


def test_refunds_and_status(store, write, run):
    text = (
        "order_id,customer_id,ordered_at,amount,refunded_amount,status\n"
        "R1,C1,2024-01-01,100.00,100.00,\n"
        "R2,C1,2024-01-02,100.00,30.00,\n"
        "R3,C1,2024-01-03,100.00,0,\n"
        "R4,C1,2024-01-04,100.00,0,cancelled\n"
    )
    run("orders", write("refunds.csv", text))
    with store.session(write=False) as s:
        got = {o.external_id: (o.status, o.refunded_minor) for o in s.scalars(select(Order))}
    assert got == {
        "R1": ("refunded", 10000),
        "R2": ("partially_refunded", 3000),
        "R3": ("paid", 0),
        "R4": ("cancelled", 0),
    }
    with pytest.raises(ImportRejectedError, match="refund larger than the order amount"):
        run(
            "orders",
            write(
                "over.csv",
                "order_id,customer_id,ordered_at,amount,refunded_amount\nX1,C1,2024-01-01,10,11\n",
            ),
        )


def test_shopify_orders_export_without_map(store, write, run):
    text = (
        "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,"
        "Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,"
        "Refunded Amount,Source,Id\n"
        "#1001,ada@example.com,paid,2024-03-01 10:05:00 +0100,fulfilled,yes,EUR,80.00,85.00,"
        "2024-03-01 10:00:00 +0100,1,Trail shoe,80.00,Ada Lovelace,0.00,web,5501\n"
        "#1001,ada@example.com,,,,,,,,,1,Socks,5.00,,,,\n"
        "#1002,bob@example.com,refunded,2024-03-02 11:00:00 +0100,,no,EUR,20.00,20.00,"
        "2024-03-02 11:00:00 +0100,1,Socks,20.00,Bob Builder,20.00,pos,5502\n"
    )
    report = run("orders", write("orders_export.csv", text))
    assert (report.inserted, report.customers_created) == (2, 2)
    with store.session(write=False) as s:
        orders = {o.external_id: o for o in s.scalars(select(Order))}
        names = set(s.scalars(select(Customer.name)))
    assert set(orders) == {"#1001", "#1002"}
    assert orders["#1001"].amount_minor == 8500
    assert orders["#1001"].ordered_at == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert orders["#1001"].product_category == "Trail shoe"
    assert (orders["#1002"].status, orders["#1002"].refunded_minor) == ("refunded", 2000)
    assert names == {"Ada Lovelace", "Bob Builder"}


def test_stripe_payments_export_without_map(store, write, run):
    text = (
        "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Fee,"
        "Status,Customer ID,Customer Description,Customer Email\n"
        "ch_1,Order 1,2024-05-01 22:30:00,49.00,0.00,usd,49.00,1.72,Paid,cus_A,Ada,"
        "ada@example.com\n"
        "ch_2,Order 2,2024-05-02 08:00:00,10.00,10.00,usd,10.00,0.59,Refunded,cus_A,Ada,"
        "ada@example.com\n"
    )
    report = run("orders", write("payments.csv", text))
    assert (report.inserted, report.customers_created) == (2, 1)
    with store.session(write=False) as s:
        orders = {o.external_id: o for o in s.scalars(select(Order))}
        customer = s.scalars(select(Customer)).one()
    # "Created (UTC)" is UTC, whatever the business time zone
    assert orders["ch_1"].ordered_at == datetime(2024, 5, 1, 22, 30, tzinfo=UTC)
    assert (orders["ch_1"].amount_minor, orders["ch_1"].currency) == (4900, "USD")
    assert orders["ch_2"].status == "refunded"
    assert (customer.external_id, customer.email, customer.name) == (
        "cus_A",
        "ada@example.com",
        "Ada",
    )


def test_customers_import(store, write, run):
    text = (
        "Customer ID,First Name,Last Name,Email,Country,Accepts Email Marketing,Tags,"
        "birth_year,Shoe size\n"
        'C1,Ada,Lovelace,ADA@example.com,Germany,yes,"vip, shoes",1985,38\n'
        "C2,Bob,,bob@example.com,FR,no,,,\n"
    )
    report = run("customers", write("customers.csv", text))
    assert report.inserted == 2
    with store.session(write=False) as s:
        c1, c2 = s.scalars(select(Customer).order_by(Customer.external_id)).all()
    assert (c1.name, c1.email, c1.country, c1.email_consent, c1.birth_year) == (
        "Ada Lovelace",
        "ada@example.com",
        "DE",
        True,
        1985,
    )
    assert c1.tags == ["shoes", "vip"]
    assert c1.attributes == {"Shoe size": "38"}
    assert (c2.name, c2.country, c2.email_consent, c2.tags) == ("Bob", "FR", False, None)
    again = run("customers", write("customers.csv", text))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_customers_then_orders_by_email_join_the_same_customer(store, write, run):
    run("customers", write("c.csv", "email,name\nada@example.com,Ada\n"))
    run(
        "orders",
        write("o.csv", "order_id,email,ordered_at,amount\nO1,ADA@example.com,2024-01-01,5\n"),
    )
    with store.session(write=False) as s:
        assert s.scalars(select(Customer.external_id)).all() == ["ada@example.com"]
        assert s.scalars(select(Order.customer_id)).one() == s.scalars(select(Customer.id)).one()


def test_interactions_and_feedback(store, write, run):
    run("customers", write("c.csv", "customer_id,email\nC1,ada@example.com\n"))
    inter = (
        "customer_id,occurred_at,channel,direction,kind,note\n"
        'C1,2024-01-01 09:00,phone,in,complaint,"Parcel late,\nsecond line"\n'
        "C1,2024-01-02 09:00,email,out,follow_up,resolved\n"
    )
    first = run("interactions", write("i.csv", inter))
    assert first.inserted == 2
    assert run("interactions", write("i.csv", inter)).unchanged == 2  # ids from content
    feedback = (
        "source,email,rating,comment,date\n"
        "google,ada@example.com,4,Nice shoes,2024-02-01\n"
        "trustpilot,unknown@example.com,1,Never again,2024-02-02\n"
    )
    report = run("feedback", write("reviews.csv", feedback))
    assert (report.inserted, report.customers_created) == (2, 0)  # reviews create no customers
    with store.session(write=False) as s:
        notes = [i.note for i in s.scalars(select(Interaction).order_by(Interaction.id))]
        rows = s.scalars(select(Feedback).order_by(Feedback.responded_at)).all()
    assert notes[0] == "Parcel late,\nsecond line"
    assert [(f.kind, f.score_min, f.score_max, f.nps_score) for f in rows] == [
        ("review", 1, 5, 8),
        ("review", 1, 5, 0),
    ]
    assert rows[0].customer_id is not None and rows[1].customer_id is None


def test_nps_survey_answers_create_the_survey(store, write, run):
    text = (
        "customer_id,survey,score,comment,responded_at\nC1,NPS 2025,9,great,2025-03-01\n"
        "C2,NPS 2025,11,,2025-03-01\n"
    )
    with pytest.raises(ImportRejectedError, match=r"score outside its scale 0\.\.10"):
        run("feedback", write("nps.csv", text))
    run("feedback", write("nps.csv", text.replace(",11,", ",6,")))
    with store.session(write=False) as s:
        rows = s.scalars(select(Feedback).order_by(Feedback.nps_score)).all()
    assert [(f.kind, f.nps_score, f.source) for f in rows] == [
        ("nps", 6, "survey"),
        ("nps", 9, "survey"),
    ]
    assert rows[0].survey_id == rows[1].survey_id is not None
