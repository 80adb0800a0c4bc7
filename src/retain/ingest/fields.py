"""What each import kind can hold: its fields, their types, and the headers that name them.

A field is recognised from a file header by its normalised name (lower case,
runs of other characters turned into one ``_``): ``"Created (UTC)"`` becomes
``created_utc``. The aliases cover the usual exports of shop and payment
systems (Shopify orders and customers, Stripe payments, WooCommerce).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("customers", "orders", "interactions", "feedback")


@dataclass(frozen=True)
class Field:
    """One importable field: its name, value type, header aliases and whether required."""

    name: str
    type: str  # text, email, timestamp, money, currency, int, bool, country, score, choice, tags
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: str | None = None  # name of a choice list in CHOICES


CHOICES: dict[str, dict[str, str]] = {
    "order_status": {
        "paid": "paid",
        "complete": "paid",
        "completed": "paid",
        "succeeded": "paid",
        "fulfilled": "paid",
        "processing": "pending",
        "pending": "pending",
        "authorized": "pending",
        "on_hold": "pending",
        "refunded": "refunded",
        "partially_refunded": "partially_refunded",
        "partial_refund": "partially_refunded",
        "cancelled": "cancelled",
        "canceled": "cancelled",
        "voided": "cancelled",
        "failed": "failed",
    },
    "direction": {
        "inbound": "inbound",
        "in": "inbound",
        "incoming": "inbound",
        "outbound": "outbound",
        "out": "outbound",
        "outgoing": "outbound",
    },
    "feedback_kind": {"nps": "nps", "csat": "csat", "review": "review", "rating": "review"},
}

CUSTOMER_REF = (
    Field("customer_external_id", "text", ("customer_id", "customer", "customer_number")),
    Field("customer_email", "email", ("customer_email", "email", "e_mail", "email_address")),
    Field("customer_name", "text", ("customer_name", "billing_name", "customer_description")),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    "customers": (
        Field("external_id", "text", ("customer_id", "id", "customer_number", "customer")),
        Field("name", "text", ("name", "full_name", "customer_name", "billing_name")),
        Field("first_name", "text", ("first_name", "firstname", "given_name")),
        Field("last_name", "text", ("last_name", "lastname", "surname", "family_name")),
        Field("email", "email", ("email", "e_mail", "email_address", "customer_email")),
        Field("phone", "text", ("phone", "phone_number", "telephone", "mobile")),
        Field("company", "text", ("company", "organisation", "organization", "default_company")),
        Field("birth_year", "int", ("birth_year", "year_of_birth", "born")),
        Field("age_band", "text", ("age_band", "age_group", "age_range")),
        Field("gender", "text", ("gender", "sex")),
        Field("profession", "text", ("profession", "occupation", "job_title", "job")),
        Field("income_band", "text", ("income_band", "income", "income_group")),
        Field("city", "text", ("city", "town", "default_address_city")),
        Field("region", "text", ("region", "state", "province", "county")),
        Field("country", "country", ("country", "country_code", "default_address_country_code")),
        Field("postal_code", "text", ("postal_code", "zip", "zip_code", "postcode")),
        Field("acquisition_channel", "text", ("acquisition_channel", "source", "channel")),
        Field(
            "email_consent",
            "bool",
            ("email_consent", "accepts_email_marketing", "accepts_marketing", "newsletter"),
        ),
        Field("do_not_contact", "bool", ("do_not_contact", "dnc")),
        Field("do_not_contact_reason", "text", ("do_not_contact_reason", "dnc_reason")),
        Field("owner", "text", ("owner", "rep", "account_manager", "owner_username")),
        Field("tags", "tags", ("tags", "labels")),
        Field("first_seen_at", "timestamp", ("first_seen_at", "created_at", "signup_date")),
    ),
    "orders": (
        Field("external_id", "text", ("order_id", "id", "name", "order_number"), required=True),
        *CUSTOMER_REF,
        Field(
            "ordered_at",
            "timestamp",
            ("ordered_at", "created_at", "created_utc", "order_date", "date", "paid_at"),
            required=True,
        ),
        Field("amount", "money", ("amount", "total", "order_total", "value"), required=True),
        Field("currency", "currency", ("currency",)),
        Field(
            "product_category",
            "text",
            ("product_category", "category", "product_type", "lineitem_name"),
        ),
        Field("channel", "text", ("channel", "sales_channel", "source")),
        Field("cost", "money", ("cost", "cogs", "cost_of_goods")),
        Field(
            "status",
            "choice",
            ("status", "financial_status", "payment_status"),
            False,
            "order_status",
        ),
        Field("refunded_amount", "money", ("refunded_amount", "amount_refunded", "refunded")),
    ),
    "interactions": (
        Field("external_id", "text", ("interaction_id", "touchpoint_id", "id")),
        *CUSTOMER_REF,
        Field(
            "occurred_at",
            "timestamp",
            ("occurred_at", "date", "time", "timestamp", "created_at"),
            required=True,
        ),
        Field("channel", "text", ("channel", "medium"), required=True),
        Field("direction", "choice", ("direction",), choices="direction"),
        Field("kind", "text", ("kind", "type", "interaction_type")),
        Field("note", "text", ("note", "notes", "description", "subject")),
        Field("by_whom", "text", ("by_whom", "by", "agent", "user", "author")),
    ),
    "feedback": (
        Field("external_id", "text", ("feedback_id", "response_id", "review_id", "id")),
        *CUSTOMER_REF,
        Field("source", "text", ("source", "platform", "site")),
        Field("kind", "choice", ("kind", "type"), choices="feedback_kind"),
        Field("score", "score", ("score", "rating", "stars", "nps"), required=True),
        Field("scale_min", "int", ("scale_min", "min_score")),
        Field("scale_max", "int", ("scale_max", "max_score", "out_of")),
        Field("category", "text", ("category", "topic")),
        Field("comment", "text", ("comment", "review", "text", "feedback", "comments")),
        Field(
            "responded_at",
            "timestamp",
            ("responded_at", "date", "created_at", "submitted_at", "review_date"),
            required=True,
        ),
        Field("survey", "text", ("survey", "survey_name")),
    ),
}


#: known exports, recognised by signature headers (normalised), and the fields they fix:
#: a Shopify orders export names the order in "Name" (#1001) on every line-item row,
#: while its "Id" is given on the first row only.
EXPORT_PROFILES: dict[str, list[tuple[frozenset[str], dict[str, str]]]] = {
    "orders": [(frozenset({"financial_status", "lineitem_name", "name"}), {"external_id": "name"})],
}


def normalise_header(header: str) -> str:
    """``'Created (UTC)'`` -> ``'created_utc'``; a byte-order mark and quotes are dropped."""
    return re.sub(r"[^0-9a-z]+", "_", header.replace("\ufeff", "").strip().lower()).strip("_")


def field_names(kind: str) -> list[str]:
    """The importable field names of ``kind``."""
    return [f.name for f in FIELDS[kind]]
