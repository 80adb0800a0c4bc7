"""The tables of the records store.

One declarative model per record kind. Money is integer minor units
(``amount_minor`` in cents for EUR/USD, yen for JPY) next to an ISO 4217
currency code; timestamps are UTC (:class:`UTCDateTime`). External ids are
the ids of the business's own systems and the keys of idempotent imports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from retain.store.types import JSONType, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("admin", "agent", "viewer")
ORDER_STATUSES = ("paid", "pending", "refunded", "partially_refunded", "cancelled")
CASE_STATUSES = ("open", "pending", "resolved", "closed")
CASE_SOURCES = ("complaint", "detractor", "bad_review", "email", "call", "manual")
CASE_PRIORITIES = ("low", "normal", "high", "urgent")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """Someone who logs in: an admin, an agent (works cases) or a viewer (reads)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiToken(Base):
    """A REST API token; only its hash is kept, and it can be revoked."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ImportBatch(Base):
    """One import of one file: what it was, what it did, who ran it."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(1000))
    checksum: Mapped[str] = mapped_column(String(64), index=True)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    run_by: Mapped[str | None] = mapped_column(String(200))


class Customer(Base):
    """A person or firm the business knows, bought from it or not."""

    __tablename__ = "customers"
    # substring search: pg_trgm GIN indexes on PostgreSQL (migration 0012); on SQLite the
    # FTS5 table customer_search, which the models do not describe (retain.store.search)
    __table_args__ = tuple(
        Index(
            f"ix_customers_{col}_trgm",
            col,
            postgresql_using="gin",
            postgresql_ops={col: "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql")
        for col in ("name", "email", "company", "external_id")
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str | None] = mapped_column(String(300), index=True)  # lists sort by name
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    company: Mapped[str | None] = mapped_column(String(300))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(20))
    gender: Mapped[str | None] = mapped_column(String(30))
    profession: Mapped[str | None] = mapped_column(String(200))
    income_band: Mapped[str | None] = mapped_column(String(50))
    city: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    acquisition_channel: Mapped[str | None] = mapped_column(String(100))
    #: None: never asked; True: agreed to e-mail; False: withdrew or refused
    email_consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact_reason: Mapped[str | None] = mapped_column(String(500))
    #: the owner decided to let this client go ("know when to let a client go")
    let_go: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    tags: Mapped[list[str] | None] = mapped_column(JSONType)
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    #: none, suspected or confirmed (a competitor in the customer list)
    competitor_status: Mapped[str] = mapped_column(String(20), default="none")
    #: set when a duplicate was merged into another customer
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    first_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the import batch that last wrote this record (an audit reference without a foreign
    #: key: checking one per row would double the cost of a million-row import)
    import_batch_id: Mapped[int | None] = mapped_column(Integer)


class Order(Base):
    """A purchase; ``amount_minor`` is the gross amount, refunds are kept apart."""

    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    product_category: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(30), default="paid")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the import batch that last wrote this record (an audit reference without a foreign
    #: key: checking one per row would double the cost of a million-row import)
    import_batch_id: Mapped[int | None] = mapped_column(Integer)


class Interaction(Base):
    """A touchpoint: a call, an e-mail, a visit, a campaign message, in or out."""

    __tablename__ = "interactions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    channel: Mapped[str] = mapped_column(String(50))
    direction: Mapped[str] = mapped_column(String(10), default="outbound")
    kind: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    by_whom: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    campaign_ref: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the import batch that last wrote this record (an audit reference without a foreign
    #: key: checking one per row would double the cost of a million-row import)
    import_batch_id: Mapped[int | None] = mapped_column(Integer)


class Survey(Base):
    """An NPS (0-10) or CSAT (1-5) survey with optional category questions."""

    __tablename__ = "surveys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="nps")
    question: Mapped[str] = mapped_column(Text)
    follow_up_question: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list[str] | None] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(20), default="open")
    #: a secret for the anonymous open link; None when the survey has none
    open_link_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SurveyInvitation(Base):
    """One customer's invitation to one survey; its link carries a signed token."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "customer_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    #: random value signed into the link; the link is refused if it differs
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str | None] = mapped_column(String(50))


class Feedback(Base):
    """A survey answer or an imported review; ``score`` is on its own scale.

    ``score_min``/``score_max`` give the scale (0-10 for NPS, 1-5 for stars);
    ``nps_score`` is the same opinion on the common 0-10 scale.
    """

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_invitations.id"), unique=True
    )
    source: Mapped[str] = mapped_column(String(50), default="survey")
    kind: Mapped[str] = mapped_column(String(10), default="nps")
    score: Mapped[Any] = mapped_column(Numeric(6, 2))
    score_min: Mapped[int] = mapped_column(Integer, default=0)
    score_max: Mapped[int] = mapped_column(Integer, default=10)
    nps_score: Mapped[int | None] = mapped_column(Integer)
    #: the topic of an imported review or of a single-topic answer (None: overall)
    category: Mapped[str | None] = mapped_column(String(100))
    #: per-category sub-scores of a survey answer, on the survey's scale
    category_scores: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    comment: Mapped[str | None] = mapped_column(Text)
    follow_up_answer: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the import batch that last wrote this record (an audit reference without a foreign
    #: key: checking one per row would double the cost of a million-row import)
    import_batch_id: Mapped[int | None] = mapped_column(Integer)


class Case(Base):
    """A complaint or follow-up with an owner, a priority and SLA times.

    ``version`` is the optimistic lock: an update names the version it read.
    """

    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    source: Mapped[str] = mapped_column(String(30), default="manual")
    subject: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    priority_reason: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: seconds the SLA clock stood still while pending on the customer
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_code: Mapped[str | None] = mapped_column(String(100))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: the import batch that last wrote this record (an audit reference without a foreign
    #: key: checking one per row would double the cost of a million-row import)
    import_batch_id: Mapped[int | None] = mapped_column(Integer)


class CaseEvent(Base):
    """One entry of a case's append-only audit trail (who, when, old -> new).

    ``kind``: created, status, reopened, assigned, priority, message (``field``
    outbound or inbound), note (internal), first_response, due (a due time
    moved), sla_breach, escalated. The database refuses updates and deletes
    (migration 0007a).
    """

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_id_at", "case_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    field: Mapped[str | None] = mapped_column(String(100))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)


class Setting(Base):
    """A business setting kept in the store (time zone, currency, thresholds)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Segment(Base):
    """A named audience: a filter expression over customer attributes and behaviour."""

    __tablename__ = "segments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: the filter language of :mod:`retain.audience.filters`
    expression: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomerMerge(Base):
    """The audit of one duplicate merge, with what it changed so that it can be undone.

    ``before`` holds the two customer rows as they were and the ids of the
    records moved from the merged customer to the survivor, per table.
    """

    __tablename__ = "customer_merges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    merged_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    merged_by: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    evidence: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict[str, Any]] = mapped_column(JSONType)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Campaign(Base):
    """An outreach campaign: audience, message template, channel, held-out control share.

    ``status``: draft, scheduled, sending, sent. ``seed`` makes the control draw repeatable.
    """

    __tablename__ = "campaigns"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSONType)
    control_share: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    outcome_window_days: Mapped[int] = mapped_column(Integer)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CampaignMember(Base):
    """One customer of a campaign's audience, in the ``treated`` or the held-out ``control`` arm."""

    __tablename__ = "campaign_members"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    arm: Mapped[str] = mapped_column(String(10))
    #: life-cycle stage when drawn (to measure a return to an earlier stage)
    stage: Mapped[str | None] = mapped_column(String(20))
    substage: Mapped[str | None] = mapped_column(String(20))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutreachAction(Base):
    """A contact the plan asks for: one per customer per cycle (ISO week), with its reason.

    ``status``: open, assigned, done, snoozed.
    """

    __tablename__ = "outreach_actions"
    __table_args__ = (UniqueConstraint("customer_id", "cycle"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    cycle: Mapped[str] = mapped_column(String(20), index=True)
    rule: Mapped[str] = mapped_column(String(50))
    reason: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    value_minor: Mapped[int] = mapped_column(BigInteger)
    numbers: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutreachSend(Base):
    """The send log: one attempt to reach one customer: sent, skipped, bounced, exported."""

    __tablename__ = "outreach_sends"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Suppression(Base):
    """An address or customer that must not be contacted on a channel (unsubscribe, bounce)."""

    __tablename__ = "suppressions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


# --- customer value (capability 3): the current CLV fit per model and its scores
from datetime import date  # noqa: E402

from sqlalchemy import Date  # noqa: E402


class ClvFit(Base):
    """The current fit of one CLV model (``bgnbd``, ``mbgnbd``, ``pareto``): one row per model,
    replaced by a refit. ``model_json``/``spend_json`` are the fitted models (their
    ``to_json``); ``discount_rate`` is annual; ``trust_level``/``trust_message`` say how far
    to trust the scores on this much data."""

    __tablename__ = "clv_fits"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(20), unique=True)
    model_version: Mapped[str] = mapped_column(String(80))
    as_of: Mapped[date] = mapped_column(Date)
    horizon_months: Mapped[int] = mapped_column(Integer)
    discount_rate: Mapped[float] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType)
    model_json: Mapped[str] = mapped_column(Text)
    spend_json: Mapped[str | None] = mapped_column(Text)
    log_likelihood: Mapped[float] = mapped_column(Float)
    customers: Mapped[int] = mapped_column(Integer)
    repeat_buyers: Mapped[int] = mapped_column(Integer)
    trust_level: Mapped[str] = mapped_column(String(10))
    trust_message: Mapped[str] = mapped_column(Text)
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CustomerScore(Base):
    """One customer's current scores from one CLV model (one row per customer and model).

    ``p_alive`` in [0, 1]; ``expected_purchases`` over ``horizon_months``;
    ``expected_spend_minor`` per purchase and ``clv_minor`` (discounted value over the
    horizon) in integer minor units of ``currency``.
    """

    __tablename__ = "customer_scores"
    __table_args__ = (UniqueConstraint("customer_id", "model"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fit_id: Mapped[int] = mapped_column(ForeignKey("clv_fits.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    model: Mapped[str] = mapped_column(String(20))
    model_version: Mapped[str] = mapped_column(String(80))
    as_of: Mapped[date] = mapped_column(Date)
    p_alive: Mapped[float] = mapped_column(Float)
    expected_purchases: Mapped[float] = mapped_column(Float)
    horizon_months: Mapped[int] = mapped_column(Integer)
    expected_spend_minor: Mapped[int] = mapped_column(BigInteger)
    clv_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    fitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
