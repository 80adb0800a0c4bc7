"""customer value: the current CLV fit per model and per-customer scores

Revision ID: 0011
Revises: 0007a
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import retain.store.types

revision: str = "0011"
down_revision: str | None = "0007a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTC = retain.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "clv_fits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=20), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("discount_rate", sa.Float(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("model_json", sa.Text(), nullable=False),
        sa.Column("spend_json", sa.Text(), nullable=True),
        sa.Column("log_likelihood", sa.Float(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("repeat_buyers", sa.Integer(), nullable=False),
        sa.Column("trust_level", sa.String(length=10), nullable=False),
        sa.Column("trust_message", sa.Text(), nullable=False),
        sa.Column("fitted_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clv_fits")),
        sa.UniqueConstraint("model", name=op.f("uq_clv_fits_model")),
    )
    op.create_table(
        "customer_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fit_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=20), nullable=False),
        sa.Column("model_version", sa.String(length=80), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("p_alive", sa.Float(), nullable=False),
        sa.Column("expected_purchases", sa.Float(), nullable=False),
        sa.Column("horizon_months", sa.Integer(), nullable=False),
        sa.Column("expected_spend_minor", sa.BigInteger(), nullable=False),
        sa.Column("clv_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fitted_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["fit_id"],
            ["clv_fits.id"],
            name=op.f("fk_customer_scores_fit_id_clv_fits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_customer_scores_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_scores")),
        sa.UniqueConstraint(
            "customer_id", "model", name=op.f("uq_customer_scores_customer_id_model")
        ),
    )
    with op.batch_alter_table("customer_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_scores_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_customer_scores_fit_id"), ["fit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("customer_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_scores_fit_id"))
        batch_op.drop_index(batch_op.f("ix_customer_scores_customer_id"))
    op.drop_table("customer_scores")
    op.drop_table("clv_fits")
