"""the metrics' month counts are kept per ticket channel and over all channels, with more measures

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(*channel: sa.Column[str]) -> sa.Table:
    # the channel before the bucket: one channel's buckets of a month are one range of the primary key
    keys = ["month", "measure", *(column.name for column in channel), "bucket"]
    table = op.create_table(
        "metrics_month_counts",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        *channel,
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*keys),
    )
    assert table is not None
    return table


def upgrade() -> None:
    # Derived data: the table is recreated with the channel in its key, and refilled from the facts, the
    # outreach months and the tickets' channels after the whole upgrade (communitydesk.upgrades.BACKFILLS).
    op.drop_table("metrics_month_counts")
    _create(sa.Column("channel", sa.String(length=20), nullable=False))


def downgrade() -> None:
    # The counts over all channels ('*') of the measures 0008 kept, so a downgraded desk reads the same.
    kept = [
        {"month": month, "measure": measure, "bucket": bucket, "tickets": tickets}
        for month, measure, bucket, tickets in op.get_bind().execute(
            sa.text(
                "SELECT month, measure, bucket, tickets FROM metrics_month_counts WHERE channel = '*'"
                " AND measure IN ('created', 'first_response', 'solved', 'solved_docs')"
            )
        )
    ]
    op.drop_table("metrics_month_counts")
    table = _create()
    if kept:
        op.bulk_insert(table, kept)
